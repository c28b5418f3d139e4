// PoolAxis: the output-size formula ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 and PyTorch's ceil-mode rule
// over combinations of size, kernel, stride, padding and dilation, and the adaptive windows.
using Striate.Kernels.Pool;

namespace Striate.Tests.Kernels.Pool;

public class PoolAxisTests
{
    [Fact]
    public void OutputSize_AllCombinations_MatchesFormulaAndCeilRule()
    {
        int checkedCount = 0;
        for (int n = 1; n <= 12; n++)
        for (int k = 1; k <= 5; k++)
        for (int s = 1; s <= 3; s++)
        for (int p = 0; p <= k / 2; p++)
        for (int d = 1; d <= 3; d++)
        {
            int span = n + 2 * p - d * (k - 1) - 1;
            int floor = (int)Math.Floor((double)span / s) + 1;
            int ceil = (int)Math.Ceiling((double)span / s) + 1;
            // PyTorch: in ceil mode the last window must start inside the input or the left padding.
            if (ceil > 0 && (ceil - 1) * s >= n + p) ceil--;
            Assert.Equal(floor, PoolAxis.OutputSize(n, k, s, p, d, ceilMode: false));
            Assert.Equal(ceil, PoolAxis.OutputSize(n, k, s, p, d, ceilMode: true));
            if (floor >= 1)
            {
                var axis = PoolAxis.Sliding(n, k, s, p, d);
                Assert.Equal(floor, axis.Output);
                // Each window's real cells are exactly the window positions inside [0, n).
                for (int o = 0; o < floor; o++)
                {
                    var expected = Enumerable.Range(0, k).Select(j => o * s - p + j * d).Where(i => i >= 0 && i < n).ToArray();
                    var (first, count) = axis.Cells(o);
                    Assert.Equal(expected, Enumerable.Range(0, count).Select(j => first + j * d).ToArray());
                }
            }
            checkedCount++;
        }
        Assert.True(checkedCount > 1000);
    }

    [Theory]
    [InlineData(5, 2, 2, 0, false, 2)] // odd size: the last cell is dropped
    [InlineData(5, 2, 2, 0, true, 3)]  // ceil mode keeps a partial window starting inside the input
    [InlineData(6, 3, 2, 1, true, 4)]  // ⌈(6 + 2 − 3)/2⌉ + 1 = 4; window 3 starts at 3·2 − 1 = 5, inside the input
    [InlineData(4, 2, 2, 1, true, 3)]  // ⌈(4 + 2 − 2)/2⌉ + 1 = 3, the same as floor mode
    [InlineData(5, 3, 3, 1, true, 2)]  // ⌈(5 + 2 − 3)/3⌉ + 1 = 3, but window 2 would start at 2·3 − 1 = 5, in the right padding: dropped
    public void OutputSize_CeilModeExamples(int n, int k, int s, int p, bool ceil, int expected) =>
        Assert.Equal(expected, PoolAxis.OutputSize(n, k, s, p, 1, ceil));

    [Theory]
    [InlineData(10, 3, new[] { 0, 3, 6 }, new[] { 4, 7, 10 })]
    [InlineData(5, 5, new[] { 0, 1, 2, 3, 4 }, new[] { 1, 2, 3, 4, 5 })]
    [InlineData(3, 5, new[] { 0, 0, 1, 1, 2 }, new[] { 1, 2, 2, 3, 3 })]
    [InlineData(7, 1, new[] { 0 }, new[] { 7 })]
    public void Adaptive_Windows_FollowFloorAndCeil(int n, int output, int[] starts, int[] ends)
    {
        var axis = PoolAxis.Adaptive(n, output);
        for (int o = 0; o < output; o++)
        {
            Assert.Equal(starts[o], (int)Math.Floor((double)o * n / output));
            Assert.Equal(ends[o], (int)Math.Ceiling((double)(o + 1) * n / output));
            Assert.Equal((starts[o], ends[o] - starts[o]), axis.Cells(o));
        }
        Assert.Equal(n % output != 0, axis.WindowsMayOverlap);
    }
}
