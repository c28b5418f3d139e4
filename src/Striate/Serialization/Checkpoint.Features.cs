// Architecture entries of the feature layers (Striate.Features): the Gabor convolution and complex
// cells, whose bank is written as text, and the k-means (Coates et al. 2011) encoder, whose whitening,
// mean and centroids are buffers saved beside the weights. A bank is "α βx βy f φ x0 y0 τ" per filter,
// filters separated by ';', every number in round-trip form, so the rebuilt layer's Bank equals the
// saved one exactly (the weights themselves come from the checkpoint's tensors, as for every layer).
using System.Globalization;
using System.Text.Json.Nodes;
using Striate.Features;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddFeatureLayers(List<LayerEntry> table)
    {
        table.Add(Entry<GaborConv2d>("GaborConv2d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["kernelSize"] = m.Bank.Size, ["filters"] = BankText(m.Bank),
                ["padding"] = m.Padding, ["stride"] = m.Stride, ["freeze"] = m.IsFrozen, ["bias"] = m.Bias is not null,
            },
            s => new GaborConv2d(ParseBank(s.Int("kernelSize"), s.String("filters")), s.Int("inChannels"), s.Int("padding"), s.Int("stride"), s.Bool("freeze"), s.Bool("bias"))));
        table.Add(Entry<GaborComplexCell2d>("GaborComplexCell2d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["kernelSize"] = m.Bank.Size, ["filters"] = BankText(m.Bank),
                ["padding"] = m.Padding, ["stride"] = m.Stride,
            },
            s => new GaborComplexCell2d(ParseBank(s.Int("kernelSize"), s.String("filters")), s.Int("inChannels"), s.Int("padding"), s.Int("stride"))));
        table.Add(Entry<KMeansEncoder2d>("KMeansEncoder2d",
            (m, _) => new JsonObject
            {
                ["inChannels"] = m.InChannels, ["centroids"] = m.CentroidCount, ["patchSize"] = m.PatchSize,
                ["normalizationEpsilon"] = m.NormalizationEpsilon, ["encoding"] = m.Encoding == KMeansEncoding.Triangle ? "triangle" : "soft-threshold",
                ["threshold"] = m.Threshold,
            },
            s => new KMeansEncoder2d(s.Int("inChannels"), s.Int("centroids"), s.Int("patchSize"), s.Float("normalizationEpsilon"),
                s.String("encoding") switch
                {
                    "triangle" => KMeansEncoding.Triangle,
                    "soft-threshold" => KMeansEncoding.SoftThreshold,
                    var other => throw new ArgumentException($"Unknown k-means encoding '{other}' (known: triangle, soft-threshold).", "encoding"),
                },
                s.Float("threshold"))));
    }

    private static string BankText(GaborBank bank) => string.Join(';', bank.Filters.Select(f => string.Join(' ',
        new[] { f.Alpha, f.BetaX, f.BetaY, f.Frequency, f.Phase, f.X0, f.Y0, f.Tau }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

    private static GaborBank ParseBank(int size, string text)
    {
        var filters = new List<GaborParameters>();
        foreach (var item in text.Split(';'))
        {
            var parts = item.Split(' ');
            var v = new double[8];
            if (parts.Length != 8 || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out v[i])).All(ok => ok))
                throw new ArgumentException($"Each Gabor filter must be eight numbers \"α βx βy f φ x0 y0 τ\", got \"{item}\".", "filters");
            filters.Add(new GaborParameters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
        }
        return new GaborBank(size, filters);
    }
}
