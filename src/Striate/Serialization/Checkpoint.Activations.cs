// Architecture entries of the activation family (the table is described in Checkpoint.cs; ReLU,
// Tanh and Sigmoid are foundation entries there). PReLU's slopes are a parameter, saved with the
// weights; everything else here is a constructor argument.
using Striate.Layers;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddActivationLayers(List<LayerEntry> table)
    {
        table.Add(Entry<LeakyReLU>("LeakyReLU", (m, _) => new() { ["negativeSlope"] = m.NegativeSlope }, s => new LeakyReLU(s.Float("negativeSlope"))));
        table.Add(Entry<PReLU>("PReLU", (m, _) => new() { ["numParameters"] = m.NumParameters, ["init"] = m.Init },
            s => new PReLU(s.Int("numParameters"), s.Float("init"))));
        table.Add(Entry<ELU>("ELU", (m, _) => new() { ["alpha"] = m.Alpha }, s => new ELU(s.Float("alpha"))));
        table.Add(Entry<SELU>("SELU", (_, _) => [], _ => new SELU()));
        table.Add(Entry<GELU>("GELU", (m, _) => new() { ["approximate"] = m.Approximate == GeluApproximation.Tanh ? "tanh" : "none" },
            s => new GELU(s.String("approximate") switch
            {
                "none" => GeluApproximation.None,
                "tanh" => GeluApproximation.Tanh,
                var other => throw new ArgumentException($"GELU approximate must be \"none\" or \"tanh\", not \"{other}\"."),
            })));
        table.Add(Entry<SiLU>("SiLU", (_, _) => [], _ => new SiLU()));
        table.Add(Entry<Softplus>("Softplus", (m, _) => new() { ["beta"] = m.Beta, ["threshold"] = m.Threshold },
            s => new Softplus(s.Float("beta"), s.Float("threshold"))));
        table.Add(Entry<Softsign>("Softsign", (_, _) => [], _ => new Softsign()));
        table.Add(Entry<Hardtanh>("Hardtanh", (m, _) => new() { ["minVal"] = m.MinVal, ["maxVal"] = m.MaxVal },
            s => new Hardtanh(s.Float("minVal"), s.Float("maxVal"))));
        table.Add(Entry<Softmax>("Softmax", (m, _) => new() { ["dim"] = m.Dim }, s => new Softmax(s.Int("dim"))));
        table.Add(Entry<LogSoftmax>("LogSoftmax", (m, _) => new() { ["dim"] = m.Dim }, s => new LogSoftmax(s.Int("dim"))));
    }
}
