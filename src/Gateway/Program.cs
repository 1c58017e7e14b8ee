using SmartCity.Edge.Gateway.Cli;

return await CommandLine.RunAsync(args);
