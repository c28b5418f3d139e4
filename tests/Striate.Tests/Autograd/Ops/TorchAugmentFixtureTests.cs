// Augmentation kernels against golden values (Fixtures/generate_augment.py): bilinear warping by
// affine maps and displacement fields against PyTorch's grid_sample (bilinear, zeros padding,
// align_corners=False) in float64, which fixes the pixel-centre convention and the handling of
// samples outside the image.
using Striate.Kernels.Resample;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TorchAugmentFixtureTests
{
    private const string WarpFile = "augment_warp.json";

    public static TheoryData<string> WarpCases => Fixture.Names(WarpFile);

    [Theory]
    [MemberData(nameof(WarpCases))]
    public void Warp_MatchesGridSample(string name)
    {
        var c = Fixture.Case(WarpFile, name);
        var x = c.Inputs[0];
        var g = new WarpGeometry(x.Shape[0], x.Shape[1], x.Shape[2], c.OutputShape[1], c.OutputShape[2]);
        var y = new float[g.OutputLength];
        float fill = c.Float("fill");
        if (c.Op == "warp_affine")
        {
            double[] matrix = [.. c.Params.GetProperty("matrix").EnumerateArray().Select(v => v.GetDouble())];
            WarpKernel.Affine(g, matrix, fill, x.Values, y, threads: 2);
        }
        else
        {
            WarpKernel.Displace(g, c.Inputs[1].Values, c.Inputs[2].Values, fill, x.Values, y, threads: 2);
        }
        AssertTensor.Close(y, c.Output, c.OutputShape, Tolerances.Bilinear, c.ToString());
    }
}
