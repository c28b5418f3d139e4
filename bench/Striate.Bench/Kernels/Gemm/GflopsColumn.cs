// A BenchmarkDotNet column that turns mean time per operation into GFLOP/s, so compute-bound kernels
// report the number they are judged by. Floating-point operations per benchmark operation come from
// [FlopsPerOperation] on the method (times the "Threads" parameter when every thread does that work),
// or from a "Shape" parameter written MxNxK with an optional transpose suffix (GEMM: 2·M·N·K).
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Striate.Bench.Kernels.Gemm;

/// <summary>Floating-point operations one benchmark operation performs.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsPerOperationAttribute(double flops, bool perThread = false) : Attribute
{
    public double Flops { get; } = flops;

    /// <summary>Each of the benchmark's "Threads" threads performs <see cref="Flops"/> per operation.</summary>
    public bool PerThread { get; } = perThread;
}

/// <summary>GFLOP/s = floating-point operations per operation / mean time per operation.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "10⁹ floating-point operations per second (mean time)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = FlopsOf(benchmarkCase);
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (flops is null || stats is null || stats.Mean <= 0) return "-";
        return (flops.Value / stats.Mean).ToString("F1", CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
    }

    private static double? FlopsOf(BenchmarkCase benchmarkCase)
    {
        var method = benchmarkCase.Descriptor.WorkloadMethod;
        if (method.GetCustomAttributes(typeof(FlopsPerOperationAttribute), false).FirstOrDefault() is FlopsPerOperationAttribute a)
        {
            if (a.PerThread && benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Threads")?.Value is int threads)
                return a.Flops * threads;
            return a.Flops;
        }
        if (benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Shape")?.Value is string shape)
        {
            // A transpose suffix ("T." or ".T", see GemmBenchmarks) does not change the count.
            if (shape.EndsWith(".T", StringComparison.Ordinal) || shape.EndsWith("T.", StringComparison.Ordinal)) shape = shape[..^2];
            var d = shape.Split('x').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            return 2 * d[0] * d[1] * d[2];
        }
        return null;
    }

    public override string ToString() => ColumnName;
}
