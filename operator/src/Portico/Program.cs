using Portico.Cli;

return PorticoCli.Run(args);
