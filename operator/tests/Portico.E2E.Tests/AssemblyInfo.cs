// Each fixture owns its API server, operator, nginx and ports; fixtures run side by side, tests in a fixture in order.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
