// Architecture entries of the convolution family (the table is described in Checkpoint.cs).
//   padding          an int when every side has the same pad (LeNet's JSON, every file written before
//                    the other forms existed); otherwise "paddingRule": "valid" | "same" | "full", or
//                    "paddingSides": [before₀, after₀, before₁, after₁, …] in axis order
//   paddingMode      "zeros" | "reflect" | "replicate" | "circular"
//   convolutionMode  "crossCorrelation" | "trueConvolution"
// Conv2d writes dilation, groups, paddingMode and convolutionMode only when they differ from their defaults,
// so networks without them keep their exact JSON and files written before they existed still load;
// an older Striate reading a file that uses them fails on the unknown field instead of silently
// building a different network. Conv1d, Conv3d and the transposed convolutions, new with these
// options, always write every field.
//   algorithm        "im2colGemm" | "direct" | "winograd" | "fft" | "separable" | "benchmark", written only when the
//                    user chose one (Auto is the default and writes nothing, so older files and readers are unaffected)
using System.Text.Json.Nodes;
using Striate.Kernels.Conv;
using Striate.Layers;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddConvolutionLayers(List<LayerEntry> table)
    {
        table.Add(Entry<Conv1d>("Conv1d", (m, _) => ConvFields(m, always: true),
            s => WithAlgorithm(s, new Conv1d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("stride"), ReadPadding(s), s.Bool("bias"), InitRng(),
                s.Int("dilation"), s.Int("groups"), ReadPaddingMode(s), ReadConvolutionMode(s)))));
        table.Add(Entry<Conv2d>("Conv2d", (m, _) => ConvFields(m, always: false),
            s => WithAlgorithm(s, new Conv2d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("stride"), ReadPadding(s), s.Bool("bias"), InitRng(),
                s.Has("dilation") ? s.Int("dilation") : 1, s.Has("groups") ? s.Int("groups") : 1,
                s.Has("paddingMode") ? ReadPaddingMode(s) : PaddingMode.Zeros,
                s.Has("convolutionMode") ? ReadConvolutionMode(s) : ConvolutionMode.CrossCorrelation))));
        table.Add(Entry<Conv3d>("Conv3d", (m, _) => ConvFields(m, always: true),
            s => WithAlgorithm(s, new Conv3d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("stride"), ReadPadding(s), s.Bool("bias"), InitRng(),
                s.Int("dilation"), s.Int("groups"), ReadPaddingMode(s), ReadConvolutionMode(s)))));
        table.Add(Entry<ConvTranspose1d>("ConvTranspose1d", (m, _) => ConvTransposeFields(m),
            s => new ConvTranspose1d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("stride"), s.Int("padding"),
                s.Int("outputPadding"), s.Int("groups"), s.Bool("bias"), s.Int("dilation"), InitRng())));
        table.Add(Entry<ConvTranspose2d>("ConvTranspose2d", (m, _) => ConvTransposeFields(m),
            s => new ConvTranspose2d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("stride"), s.Int("padding"),
                s.Int("outputPadding"), s.Int("groups"), s.Bool("bias"), s.Int("dilation"), InitRng())));
        table.Add(Entry<ConvTranspose3d>("ConvTranspose3d", (m, _) => ConvTransposeFields(m),
            s => new ConvTranspose3d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("stride"), s.Int("padding"),
                s.Int("outputPadding"), s.Int("groups"), s.Bool("bias"), s.Int("dilation"), InitRng())));
        AddPaddingLayers(table);
    }

    private static JsonObject ConvTransposeFields(ConvTransposeNd m) => new()
    {
        ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride,
        ["padding"] = m.Padding, ["outputPadding"] = m.OutputPadding, ["groups"] = m.Groups, ["bias"] = m.Bias is not null, ["dilation"] = m.Dilation,
    };

    // Padding layers: "padding" holds PyTorch's pads (left, right[, top, bottom[, front, back]]), and
    // the constant pads their "value".
    private static void AddPaddingLayers(List<LayerEntry> table)
    {
        table.Add(Entry<ConstantPad1d>("ConstantPad1d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 1);
            return new ConstantPad1d(p[0], p[1], s.Float("value"));
        }));
        table.Add(Entry<ConstantPad2d>("ConstantPad2d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 2);
            return new ConstantPad2d(p[0], p[1], p[2], p[3], s.Float("value"));
        }));
        table.Add(Entry<ConstantPad3d>("ConstantPad3d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 3);
            return new ConstantPad3d(p[0], p[1], p[2], p[3], p[4], p[5], s.Float("value"));
        }));
        table.Add(Entry<ZeroPad1d>("ZeroPad1d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 1);
            return new ZeroPad1d(p[0], p[1]);
        }));
        table.Add(Entry<ZeroPad2d>("ZeroPad2d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 2);
            return new ZeroPad2d(p[0], p[1], p[2], p[3]);
        }));
        table.Add(Entry<ZeroPad3d>("ZeroPad3d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 3);
            return new ZeroPad3d(p[0], p[1], p[2], p[3], p[4], p[5]);
        }));
        table.Add(Entry<ReflectionPad1d>("ReflectionPad1d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 1);
            return new ReflectionPad1d(p[0], p[1]);
        }));
        table.Add(Entry<ReflectionPad2d>("ReflectionPad2d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 2);
            return new ReflectionPad2d(p[0], p[1], p[2], p[3]);
        }));
        table.Add(Entry<ReflectionPad3d>("ReflectionPad3d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 3);
            return new ReflectionPad3d(p[0], p[1], p[2], p[3], p[4], p[5]);
        }));
        table.Add(Entry<ReplicationPad1d>("ReplicationPad1d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 1);
            return new ReplicationPad1d(p[0], p[1]);
        }));
        table.Add(Entry<ReplicationPad2d>("ReplicationPad2d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 2);
            return new ReplicationPad2d(p[0], p[1], p[2], p[3]);
        }));
        table.Add(Entry<ReplicationPad3d>("ReplicationPad3d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 3);
            return new ReplicationPad3d(p[0], p[1], p[2], p[3], p[4], p[5]);
        }));
        table.Add(Entry<CircularPad1d>("CircularPad1d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 1);
            return new CircularPad1d(p[0], p[1]);
        }));
        table.Add(Entry<CircularPad2d>("CircularPad2d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 2);
            return new CircularPad2d(p[0], p[1], p[2], p[3]);
        }));
        table.Add(Entry<CircularPad3d>("CircularPad3d", (m, _) => PadFields(m), s =>
        {
            var p = Sides(s, 3);
            return new CircularPad3d(p[0], p[1], p[2], p[3], p[4], p[5]);
        }));
    }

    private static JsonObject PadFields(PadNd m)
    {
        var fields = new JsonObject { ["padding"] = new JsonArray([.. m.Padding.Select(p => (JsonNode)p)]) };
        if (m is ConstantPad1d or ConstantPad2d or ConstantPad3d) fields["value"] = m.Value;
        return fields;
    }

    /// <summary>The "padding" array, which must hold two pads per padded dimension.</summary>
    private static int[] Sides(LayerSpec s, int spatialRank)
    {
        int[] pads = s.Ints("padding");
        return pads.Length == 2 * spatialRank
            ? pads
            : throw new ArgumentException($"padding needs {2 * spatialRank} values (two per padded dimension), got {pads.Length}.", "padding");
    }

    private static JsonObject ConvFields(ConvNd m, bool always)
    {
        var fields = new JsonObject { ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride };
        WritePadding(fields, m.Padding, m.SpatialRank);
        fields["bias"] = m.Bias is not null;
        if (always || m.Dilation != 1) fields["dilation"] = m.Dilation;
        if (always || m.Groups != 1) fields["groups"] = m.Groups;
        if (always || m.PaddingMode != PaddingMode.Zeros) fields["paddingMode"] = CamelCase(m.PaddingMode.ToString());
        if (always || m.ConvolutionMode != ConvolutionMode.CrossCorrelation) fields["convolutionMode"] = CamelCase(m.ConvolutionMode.ToString());
        if (m.Algorithm != ConvAlgorithm.Auto) fields["algorithm"] = CamelCase(m.Algorithm.ToString());
        return fields;
    }

    /// <summary>The layer with the user's algorithm choice from the optional "algorithm" field applied.</summary>
    private static T WithAlgorithm<T>(LayerSpec s, T layer) where T : ConvNd
    {
        if (s.Has("algorithm")) layer.Algorithm = ParseEnum<ConvAlgorithm>(s.String("algorithm"), "algorithm");
        return layer;
    }

    private static void WritePadding(JsonObject fields, ConvPadding padding, int spatialRank)
    {
        if (padding.AsUniform is int uniform)
        {
            fields["padding"] = uniform;
        }
        else if (padding.ExplicitPads(spatialRank) is { } pads)
        {
            var sides = new JsonArray();
            foreach (var (before, after) in pads)
            {
                sides.Add(before);
                sides.Add(after);
            }
            fields["paddingSides"] = sides;
        }
        else
        {
            fields["paddingRule"] = padding.ToString();
        }
    }

    private static ConvPadding ReadPadding(LayerSpec s)
    {
        if (s.Has("paddingRule")) return ConvPadding.Parse(s.String("paddingRule"));
        if (s.Has("paddingSides"))
        {
            int[] sides = s.Ints("paddingSides");
            if (sides.Length % 2 != 0)
                throw new ArgumentException($"paddingSides needs (before, after) pairs, got {sides.Length} values.", "padding");
            return ConvPadding.Explicit([.. Enumerable.Range(0, sides.Length / 2).Select(i => (sides[2 * i], sides[2 * i + 1]))]);
        }
        return s.Int("padding");
    }

    private static PaddingMode ReadPaddingMode(LayerSpec s) => ParseEnum<PaddingMode>(s.String("paddingMode"), "paddingMode");

    private static ConvolutionMode ReadConvolutionMode(LayerSpec s) => ParseEnum<ConvolutionMode>(s.String("convolutionMode"), "convolutionMode");

    /// <summary>An enum member by its camelCase name as written by <see cref="CamelCase"/>; anything else is an invalid hyper-parameter.</summary>
    private static T ParseEnum<T>(string text, string field) where T : struct, Enum =>
        Enum.GetValues<T>().FirstOrDefault(v => CamelCase(v.ToString()) == text) is var value && CamelCase(value.ToString()) == text
            ? value
            : throw new ArgumentException($"{field} must be one of {string.Join(", ", Enum.GetValues<T>().Select(v => CamelCase(v.ToString())))}, got \"{text}\".", field);

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
