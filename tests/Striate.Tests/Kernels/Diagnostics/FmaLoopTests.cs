// The FMA peak loops compute what they claim: 12 accumulators per lane, each summing
// x·y = 1.0000001·0.9999999 once per trip, so the result is 12·lanes·iterations·x·y.
using Striate.Kernels.Diagnostics;

namespace Striate.Tests.Kernels.Diagnostics;

public sealed class FmaLoopTests
{
    [Theory]
    [InlineData(128, 4)]
    [InlineData(256, 8)]
    [InlineData(512, 16)]
    public void Run_SumsEveryFusedMultiplyAdd(int width, int lanes)
    {
        const int iterations = 100;
        double expected = (double)FmaLoop.Accumulators * lanes * iterations * (1.0000001f * 0.9999999f);

        Assert.Equal(expected, FmaLoop.Run(width, iterations), expected * 1e-5);
    }

    [Fact]
    public void Run_OtherWidth_Throws()
    {
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => FmaLoop.Run(64, 1)).ParamName);
    }
}
