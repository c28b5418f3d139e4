using System.Diagnostics;
using Striate.Layers;
using Striate.Models;
using Xunit.Abstractions;
namespace Striate.Tests.Models;
public class ScratchProbeTests(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        var sw = Stopwatch.StartNew();
        var m = ModelZoo.Create("resnet152", new Rng(1), 1000);
        output.WriteLine($"build {sw.ElapsedMilliseconds}"); sw.Restart();
        m.ParameterCount();
        output.WriteLine($"count {sw.ElapsedMilliseconds}"); sw.Restart();
        var s = m.Summarize(3, 224, 224);
        output.WriteLine($"summary {sw.ElapsedMilliseconds}"); sw.Restart();
        Striate.Serialization.Checkpoint.DescribeArchitecture(m);
        output.WriteLine($"describe {sw.ElapsedMilliseconds}"); sw.Restart();
        ZooTraining.ForwardBackwardOnce(m, 3, 16, 1000, "x");
        output.WriteLine($"fwdbwd {sw.ElapsedMilliseconds}"); sw.Restart();
        var v = ModelZoo.Create("vgg16", new Rng(1), 1000);
        output.WriteLine($"vgg build {sw.ElapsedMilliseconds}"); sw.Restart();
        v.Summarize(3, 224, 224);
        output.WriteLine($"vgg summary {sw.ElapsedMilliseconds}"); sw.Restart();
        ZooTraining.ForwardBackwardOnce(v, 3, 32, 1000, "x");
        output.WriteLine($"vgg fwdbwd {sw.ElapsedMilliseconds}"); sw.Restart();
    }
}
