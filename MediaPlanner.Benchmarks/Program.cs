using BenchmarkDotNet.Running;

// dotnet run -c Release -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
