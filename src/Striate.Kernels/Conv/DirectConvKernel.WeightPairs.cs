// The direct weight gradient with two filters per item: for filter rows of at least 5 taps, 5
// consecutive taps of one filter row for 2 output channels of a group are summed at once, so each
// input vector loaded feeds two fused multiply-adds and each gradient vector five (the one-filter
// blocking of DirectConvKernel.cs loads 9 vectors per 8; this one 7 per 10).
//   dw[k,c',r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw]
//   x: (N, C, H, W) as phase-split padded planes  dy: (N, K, P, Qp) rows zero-padded to Qp  dw: (K, C/G, R, S)
// Rounding: every tap's sum is the same sequence as in the one-filter blocking (each vector lane over
// (n, p, q) in order, then the 8 lanes by Vector256.Sum), so the two blockings give identical bits;
// taps left over after the groups of 5 use that blocking's one-tap loop.
// Threading: items are (pair of filters of a group, input channel, filter row); each dw element
// belongs to one item.
using System.Runtime.Intrinsics;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

public static unsafe partial class DirectConvKernel
{
    private const int PairTaps = 5;

    /// <summary>Whether the two-filter blocking applies: filter rows of at least 5 taps and at least 2 filters per group.</summary>
    private static bool PrefersWeightPairs(in Plan plan) => plan.S >= PairTaps && plan.KPerGroup >= 2;

    private static int WeightPairItems(in Plan plan) => plan.Groups * ((plan.KPerGroup + 1) / 2) * plan.CPerGroup * plan.R;

    /// <summary>One item: the S weight gradients of filter row r of input channel c' for two filters of one group.</summary>
    private readonly struct WeightPairBody(Plan plan, int n, float* input, float* dy, int qp, float* dw) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int pairs = (plan.KPerGroup + 1) / 2;
            var single = new WeightBody(plan, n, input, dy, qp, dw);
            Span<int> offsets = plan.S <= 512 ? stackalloc int[plan.S] : new int[plan.S];
            for (int item = start; item < end; item++)
            {
                int r = item % plan.R, rest = item / plan.R;
                int cc = rest % plan.CPerGroup; rest /= plan.CPerGroup;
                int pair = rest % pairs, grp = rest / pairs;
                int k0 = grp * plan.KPerGroup + 2 * pair;
                bool two = 2 * pair + 1 < plan.KPerGroup;
                int c = grp * plan.CPerGroup + cc;
                for (int s = 0; s < plan.S; s++)
                {
                    int col = s * plan.Dw;
                    offsets[s] = r * plan.Dh * plan.RowStride + col % plan.Sw * plan.PhaseLength + col / plan.Sw;
                }
                int taps = plan.R * plan.S;
                float* dw0 = dw + ((long)k0 * plan.CPerGroup + cc) * taps + r * plan.S;
                float* dw1 = two ? dw0 + (long)plan.CPerGroup * taps : null;
                int s0 = 0;
                fixed (int* offs = offsets)
                {
                    for (; s0 + PairTaps <= plan.S; s0 += PairTaps) Five(k0, two ? k0 + 1 : k0, c, offs + s0, dw0 + s0, dw1 == null ? null : dw1 + s0);
                }
                for (; s0 < plan.S; s0++)
                {
                    dw0[s0] += single.One(k0, c, offsets[s0]);
                    if (two) dw1[s0] += single.One(k0 + 1, c, offsets[s0]);
                }
            }
        }

        /// <summary>Σ_{n,p,q} dy · x for 5 taps and filters k0, k1 (k1 = k0 when the pair has one filter; then dw1 is null).</summary>
        private void Five(int k0, int k1, int c, int* offs, float* dw0, float* dw1)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0;
            var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0; var b4 = a0;
            int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4];
            long plane = (long)plan.P * qp;
            for (int img = 0; img < n; img++)
            {
                float* g0 = dy + ((long)img * plan.Kout + k0) * plane;
                float* g1 = dy + ((long)img * plan.Kout + k1) * plane;
                float* xs = input + ((long)img * plan.Cin + c) * plan.PlaneStride;
                for (int p = 0; p < plan.P; p++)
                {
                    float* d0 = g0 + (long)p * qp, d1 = g1 + (long)p * qp;
                    float* xr = xs + (long)p * plan.Sh * plan.RowStride;
                    for (int q = 0; q < qp; q += 8)
                    {
                        var u = Vector256.Load(d0 + q);
                        var v = Vector256.Load(d1 + q);
                        float* xq = xr + q;
                        var x = Vector256.Load(xq + o0);
                        a0 = Vector256.MultiplyAddEstimate(u, x, a0);
                        b0 = Vector256.MultiplyAddEstimate(v, x, b0);
                        x = Vector256.Load(xq + o1);
                        a1 = Vector256.MultiplyAddEstimate(u, x, a1);
                        b1 = Vector256.MultiplyAddEstimate(v, x, b1);
                        x = Vector256.Load(xq + o2);
                        a2 = Vector256.MultiplyAddEstimate(u, x, a2);
                        b2 = Vector256.MultiplyAddEstimate(v, x, b2);
                        x = Vector256.Load(xq + o3);
                        a3 = Vector256.MultiplyAddEstimate(u, x, a3);
                        b3 = Vector256.MultiplyAddEstimate(v, x, b3);
                        x = Vector256.Load(xq + o4);
                        a4 = Vector256.MultiplyAddEstimate(u, x, a4);
                        b4 = Vector256.MultiplyAddEstimate(v, x, b4);
                    }
                }
            }
            dw0[0] += Vector256.Sum(a0); dw0[1] += Vector256.Sum(a1); dw0[2] += Vector256.Sum(a2); dw0[3] += Vector256.Sum(a3); dw0[4] += Vector256.Sum(a4);
            if (dw1 == null) return;
            dw1[0] += Vector256.Sum(b0); dw1[1] += Vector256.Sum(b1); dw1[2] += Vector256.Sum(b2); dw1[3] += Vector256.Sum(b3); dw1[4] += Vector256.Sum(b4);
        }
    }
}
