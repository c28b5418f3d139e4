// The re-initialisation the reference implementations apply after building a network (the layers
// themselves start from PyTorch's per-layer defaults, U(±1/√fanIn), variance 1/(3·fanIn), under which
// a stack of ReLU layers shrinks the signal about sixfold per layer):
//   Kaiming normal (He et al. 2015), fan-out mode (torchvision's ResNet and VGG):  W ~ N(0, 2/(K·R·S)), b = 0
//   Kaiming normal, fan-in mode (keeps the forward signal's scale):              W ~ N(0, 2/((C/G)·R·S)), b = 0
// Values are drawn from the given Rng in module order, so a seed fixes the network.
using Striate.Layers;

namespace Striate.Models;

/// <summary>Weight re-initialisation shared by the zoo's builders.</summary>
internal static class ModelInit
{
    /// <summary>
    /// Every convolution under <paramref name="model"/> gets W ~ N(0, 2/fanOut) with fanOut = K·kernel taps
    /// (torchvision's <c>kaiming_normal_(mode="fan_out", nonlinearity="relu")</c>) and a zero bias.
    /// </summary>
    public static void KaimingNormalFanOut(Module model, Rng rng) => KaimingNormal(model, rng, fanIn: false);

    /// <summary>
    /// Every convolution under <paramref name="model"/> gets W ~ N(0, 2/fanIn) with fanIn = (C/G)·kernel taps
    /// (<c>kaiming_normal_(mode="fan_in", nonlinearity="relu")</c>) and a zero bias.
    /// </summary>
    public static void KaimingNormalFanIn(Module model, Rng rng) => KaimingNormal(model, rng, fanIn: true);

    private static void KaimingNormal(Module model, Rng rng, bool fanIn)
    {
        foreach (var module in Descendants(model))
        {
            if (module is not ConvNd conv) continue;
            int perFilter = conv.Weight.Length / conv.OutChannels; // (C/G)·taps
            int taps = perFilter / (conv.InChannels / conv.Groups);
            int fan = fanIn ? perFilter : conv.OutChannels * taps; // PyTorch's fan-out ignores groups: size(0)·taps
            rng.FillNormal(conv.Weight.AsSpan(), 0f, MathF.Sqrt(2f / fan));
            conv.Bias?.AsSpan().Clear();
        }
    }

    /// <summary>The module and all its descendants, parents first, children in registration order.</summary>
    public static IEnumerable<Module> Descendants(Module module)
    {
        yield return module;
        foreach (var (_, child) in module.Children)
            foreach (var m in Descendants(child)) yield return m;
    }
}
