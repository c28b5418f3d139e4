// BenchmarkDotNet suites for Striate's kernels and training step.
// Run: dotnet run -c Release --project bench/Striate.Bench -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Striate.Bench.Kernels.Gemm.GemmBenchmarks).Assembly).Run(args);
