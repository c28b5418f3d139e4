// The direct weight gradient with output channels in the vector lanes, for layers with at least 8 filters
// and one group (LeNet's C3: 16 filters of 6×5×5 over 10×10 outputs, whose 10-wide rows fill 10 of 16
// lanes in the row-vector blockings of DirectConvKernel.cs):
//   dw[k,c,r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c, p·sh − ph + r·dh, q·sw − pw + s·dw]
//   x: (N, C, H, W) as phase-split padded planes   dy: (N, K, P, Q), first transposed to dyT (N, P·Q, Kp)
// dy is laid out with the filters innermost (Kp = K rounded up to 16, zero lanes past K), so one vector
// load gives one output position's gradient for 16 filters (8 with Vector256); each input value is a
// broadcast. Register block: 16 (or 8) filters × up to 13 taps of one input channel = 13 accumulators;
// each output position costs one vector load, 13 broadcasts and 13 fused multiply-adds.
// Rounding: each dw element is one chain of fused multiply-adds over (n, p, q) in order, from zero, then
// added once. The vector width only decides how many filters share a load, so Vector512 and Vector256
// give the same bits; the chain differs from the row-vector blockings (which sum lanes, then the lanes),
// so which blocking runs is decided by the shape alone (one group, K ≥ 8, N·P·Q·Kp ≤ 2²⁰).
// Threading: items are (block of filters, input channel, block of taps); each dw element belongs to one.
using System.Buffers;
using System.Runtime.Intrinsics;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

public static unsafe partial class DirectConvKernel
{
    // Taps summed at once per item (accumulators), and the filter stride of the transposed gradient.
    private const int WeightTapBlock = 13;
    private const int WeightLanePad = 16;

    // The most floats of the transposed gradient (N·P·Q·Kp) the channel-lane weight gradient takes on: every item streams
    // its slice of it once, so it must stay in cache (LeNet's C3 at batch 64: 102,400 = 400 KB). A VGG-sized layer
    // (8·224·224·64) would stream 100 MB per item and loses to im2col + GEMM.
    private const long ChannelLaneWeightsBudget = 1L << 20;

    /// <summary>Whether the channel-lane weight gradient applies: one group, at least 8 filters, a transposed gradient that fits in cache.</summary>
    internal static bool PrefersChannelLaneWeights(in ConvGeometry g) =>
        g.Groups == 1 && g.K >= 8 && (long)g.N * g.OutputVolume * ConvSupport.RoundUp(g.K, WeightLanePad) <= ChannelLaneWeightsBudget;

    /// <summary>dw += Σ_{n,p,q} dy · x with filters in the lanes (file header); <paramref name="input"/> holds the phase-split planes.</summary>
    private static void ChannelLaneWeights(in Plan plan, int n, float* input, float* dy, float* dw, int threads)
    {
        int pq = plan.P * plan.Q, kp = ConvSupport.RoundUp(plan.Kout, WeightLanePad);
        int taps = plan.R * plan.S, tapBlocks = (taps + WeightTapBlock - 1) / WeightTapBlock;
        int lanes = plan.Wide ? 16 : 8, kBlocks = (plan.Kout + lanes - 1) / lanes;
        float[] transposed = ArrayPool<float>.Shared.Rent((int)Math.Max(1, (long)n * pq * kp));
        try
        {
            fixed (float* dyT = transposed)
            {
                ParallelFor.Run(n, threads, new TransposeGradientBody(dy, dyT, plan.Kout, pq, kp));
                ParallelFor.Run(kBlocks * plan.Cin * tapBlocks, threads, new ChannelLaneWeightBody(plan, n, input, dyT, kp, lanes, tapBlocks, dw));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(transposed);
        }
    }

    /// <summary>dyT[n, o, k] = dy[n, k, o], zero for k in [K, Kp). One item per image.</summary>
    private readonly struct TransposeGradientBody(float* dy, float* dyT, int k, int pq, int kp) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int img = start; img < end; img++)
            {
                float* src = dy + (long)img * k * pq, dst = dyT + (long)img * pq * kp;
                for (int o = 0; o < pq; o++)
                {
                    float* row = dst + (long)o * kp;
                    for (int f = 0; f < k; f++) row[f] = src[(long)f * pq + o];
                    for (int f = k; f < kp; f++) row[f] = 0f;
                }
            }
        }
    }

    /// <summary>One item: filters [kb·lanes, +lanes) × input channel c × taps [tb·13, +13) (fewer in the last block).</summary>
    private readonly struct ChannelLaneWeightBody(Plan plan, int n, float* input, float* dyT, int kp, int lanes, int tapBlocks, float* dw) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int taps = plan.R * plan.S;
            int* offs = stackalloc int[WeightTapBlock];
            float* sums = stackalloc float[WeightTapBlock * 16];
            for (int item = start; item < end; item++)
            {
                int tb = item % tapBlocks, rest = item / tapBlocks;
                int c = rest % plan.Cin, kb = rest / plan.Cin;
                int t0 = tb * WeightTapBlock, count = Math.Min(WeightTapBlock, taps - t0);
                for (int i = 0; i < WeightTapBlock; i++)
                {
                    // Taps past the block's end repeat its first tap; their sums are computed and dropped.
                    int t = t0 + (i < count ? i : 0), r = t / plan.S, s = t - r * plan.S;
                    int col = s * plan.Dw;
                    offs[i] = r * plan.Dh * plan.RowStride + col % plan.Sw * plan.PhaseLength + col / plan.Sw;
                }
                if (lanes == 16) Sums512(c, kb * 16, offs, sums);
                else Sums256(c, kb * 8, offs, sums);
                int kCount = Math.Min(lanes, plan.Kout - kb * lanes);
                for (int j = 0; j < kCount; j++)
                {
                    float* dst = dw + ((long)(kb * lanes + j) * plan.Cin + c) * taps + t0;
                    for (int i = 0; i < count; i++) dst[i] += sums[i * 16 + j];
                }
            }
        }

        private void Sums512(int c, int k0, int* offs, float* sums)
        {
            var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0;
            var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0; var a12 = a0;
            int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4], o5 = offs[5], o6 = offs[6];
            int o7 = offs[7], o8 = offs[8], o9 = offs[9], o10 = offs[10], o11 = offs[11], o12 = offs[12];
            int pq = plan.P * plan.Q;
            for (int img = 0; img < n; img++)
            {
                float* plane = input + ((long)img * plan.Cin + c) * plan.PlaneStride;
                float* g = dyT + (long)img * pq * kp + k0;
                for (int p = 0; p < plan.P; p++)
                {
                    float* xr = plane + (long)p * plan.Sh * plan.RowStride;
                    for (int q = 0; q < plan.Q; q++, g += kp)
                    {
                        var d = Vector512.Load(g);
                        float* xq = xr + q;
                        a0 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o0]), a0);
                        a1 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o1]), a1);
                        a2 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o2]), a2);
                        a3 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o3]), a3);
                        a4 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o4]), a4);
                        a5 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o5]), a5);
                        a6 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o6]), a6);
                        a7 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o7]), a7);
                        a8 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o8]), a8);
                        a9 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o9]), a9);
                        a10 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o10]), a10);
                        a11 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o11]), a11);
                        a12 = Vector512.MultiplyAddEstimate(d, Vector512.Create(xq[o12]), a12);
                    }
                }
            }
            a0.Store(sums); a1.Store(sums + 16); a2.Store(sums + 32); a3.Store(sums + 48); a4.Store(sums + 64);
            a5.Store(sums + 80); a6.Store(sums + 96); a7.Store(sums + 112); a8.Store(sums + 128); a9.Store(sums + 144);
            a10.Store(sums + 160); a11.Store(sums + 176); a12.Store(sums + 192);
        }

        private void Sums256(int c, int k0, int* offs, float* sums)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0;
            var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0; var a12 = a0;
            int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4], o5 = offs[5], o6 = offs[6];
            int o7 = offs[7], o8 = offs[8], o9 = offs[9], o10 = offs[10], o11 = offs[11], o12 = offs[12];
            int pq = plan.P * plan.Q;
            for (int img = 0; img < n; img++)
            {
                float* plane = input + ((long)img * plan.Cin + c) * plan.PlaneStride;
                float* g = dyT + (long)img * pq * kp + k0;
                for (int p = 0; p < plan.P; p++)
                {
                    float* xr = plane + (long)p * plan.Sh * plan.RowStride;
                    for (int q = 0; q < plan.Q; q++, g += kp)
                    {
                        var d = Vector256.Load(g);
                        float* xq = xr + q;
                        a0 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o0]), a0);
                        a1 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o1]), a1);
                        a2 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o2]), a2);
                        a3 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o3]), a3);
                        a4 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o4]), a4);
                        a5 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o5]), a5);
                        a6 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o6]), a6);
                        a7 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o7]), a7);
                        a8 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o8]), a8);
                        a9 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o9]), a9);
                        a10 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o10]), a10);
                        a11 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o11]), a11);
                        a12 = Vector256.MultiplyAddEstimate(d, Vector256.Create(xq[o12]), a12);
                    }
                }
            }
            a0.Store(sums); a1.Store(sums + 16); a2.Store(sums + 32); a3.Store(sums + 48); a4.Store(sums + 64);
            a5.Store(sums + 80); a6.Store(sums + 96); a7.Store(sums + 112); a8.Store(sums + 128); a9.Store(sums + 144);
            a10.Store(sums + 160); a11.Store(sums + 176); a12.Store(sums + 192);
        }
    }
}
