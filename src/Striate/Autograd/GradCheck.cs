// Finite-difference gradient check, the shared oracle for every op's backward.
// L(x) = Σ f(x) · g with a random upstream gradient g (not all ones: that hides transposed
// or mis-indexed gradients). Analytic dL/dx from Backward is compared with the central
// difference (L(x + h) − L(x − h)) / 2h, L accumulated in double. Every batch item (index
// along dimension 0) of every input is probed.
namespace Striate.Autograd;

/// <summary>The outcome of a <see cref="GradCheck"/> run.</summary>
/// <param name="Passed">Whether every probed element was within tolerance.</param>
/// <param name="Probes">Number of elements probed.</param>
/// <param name="MaxError">The largest |analytic − numeric| / (atol + rtol·|numeric|) ratio seen (≤ 1 passes).</param>
/// <param name="Message">The worst element: input, index, analytic and numeric values.</param>
public sealed record GradCheckResult(bool Passed, int Probes, double MaxError, string Message);

/// <summary>Checks an op's backward against finite differences.</summary>
public static class GradCheck
{
    /// <summary>
    /// Compares analytic and numerical gradients of <paramref name="function"/> with respect to each input.
    /// </summary>
    /// <param name="function">The computation; must be deterministic in its inputs.</param>
    /// <param name="inputs">Inputs; those with <see cref="Tensor.RequiresGrad"/> are checked.</param>
    /// <param name="rng">Source of the random upstream gradient and of probe positions.</param>
    /// <param name="epsilon">Finite-difference step h.</param>
    /// <param name="absoluteTolerance">atol in |a − n| ≤ atol + rtol·|n|.</param>
    /// <param name="relativeTolerance">rtol in |a − n| ≤ atol + rtol·|n|.</param>
    /// <param name="maxProbesPerItem">Elements probed per batch item of each input (all when fewer).</param>
    /// <exception cref="ArgumentException">No input requires a gradient.</exception>
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, Tensor[] inputs, Rng rng,
        float epsilon = 1e-2f, double absoluteTolerance = 1e-2, double relativeTolerance = 1e-2, int maxProbesPerItem = 64)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(rng);
        if (!inputs.Any(t => t.RequiresGrad))
            throw new ArgumentException("GradCheck needs at least one input with RequiresGrad set.", nameof(inputs));

        foreach (var t in inputs) t.ZeroGrad();
        var output = function(inputs);
        var upstream = Tensor.Normal(rng, 0f, 1f, [.. output.Shape]);
        output.Backward(upstream);

        int probes = 0;
        double worst = 0;
        string worstText = "no element probed";
        for (int which = 0; which < inputs.Length; which++)
        {
            var x = inputs[which];
            if (!x.RequiresGrad) continue;
            var analytic = x.Grad?.ToArray() ?? new float[x.Length];
            foreach (int i in ProbeIndices(x, rng, maxProbesPerItem))
            {
                float saved = x.Data[i];
                x.Data[i] = saved + epsilon;
                double plus = Dot(Evaluate(function, inputs), upstream);
                x.Data[i] = saved - epsilon;
                double minus = Dot(Evaluate(function, inputs), upstream);
                x.Data[i] = saved;
                double numeric = (plus - minus) / (2.0 * epsilon);
                double ratio = Math.Abs(analytic[i] - numeric) / (absoluteTolerance + relativeTolerance * Math.Abs(numeric));
                if (double.IsNaN(ratio)) ratio = double.PositiveInfinity;
                probes++;
                if (ratio > worst)
                {
                    worst = ratio;
                    worstText = $"input {which} {Tensor.ShapeText(x.Dims)} flat index {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}";
                }
            }
        }
        return new GradCheckResult(worst <= 1.0, probes, worst, worstText);
    }

    private static Tensor Evaluate(Func<Tensor[], Tensor> function, Tensor[] inputs)
    {
        using (GradMode.NoGrad()) return function(inputs);
    }

    private static double Dot(Tensor a, Tensor b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a.Data[i] * b.Data[i];
        return sum;
    }

    private static IEnumerable<int> ProbeIndices(Tensor x, Rng rng, int maxPerItem)
    {
        int items = x.Rank == 0 ? 1 : Math.Max(x.Dims[0], 1);
        int perItem = x.Length / items;
        for (int item = 0; item < items; item++)
        {
            if (perItem <= maxPerItem)
            {
                for (int j = 0; j < perItem; j++) yield return item * perItem + j;
            }
            else
            {
                for (int j = 0; j < maxPerItem; j++) yield return item * perItem + rng.NextInt(perItem);
            }
        }
    }
}
