// Each fixture owns its own nginx and backends on its own free ports, so fixtures run side by side; tests within a
// fixture share one nginx and run one after the other.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
