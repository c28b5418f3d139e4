// The Vector512 register blockings of the direct convolution, used where AVX-512 is available
// (DirectConvKernel.Wide). Same formula, same phase-split padded input, same packed filters as the
// Vector256 blockings in DirectConvKernel.cs and DirectConvKernel.ChannelLanes.cs:
//   y[n,k,p,q] = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw]
// Pixel lanes: 6 output channels × 32 consecutive outputs of one row (two Vector512) = 12 accumulators;
// each tap loads two input vectors and broadcasts 6 filter values (LeNet's C1: 6 channels of 28-wide
// rows, 88% of the lanes useful, where the 4-channel Vector256 blocking used 66%).
// Channel lanes: 16 output channels in one Vector512 × 12 output pixels (consecutive in row-major
// order, across row ends) = 12 accumulators; each tap loads one filter vector and broadcasts one input
// value per pixel (LeNet's C3: 16 channels of 10×10 outputs).
// Rounding: each output is one chain of fused multiply-adds from b[k] (or 0) in the order (c', r, s),
// exactly as in the Vector256 blockings, so both give identical bits (tested by switching Wide).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Striate.Kernels.Conv;

public static unsafe partial class DirectConvKernel
{
    // Output pixels per register block of the wide channel-lane blocking.
    private const int WidePixelBlock = 12;

    private readonly partial struct OutputBody
    {
        /// <summary>Up to 6 output channels k0.. of image n, every output row, 32 outputs per step.</summary>
        private void WideBlock(int n, int grp, int k0, int count, int* offs)
        {
            if (plan.Q <= 16)
            {
                TwoRowBlock(n, grp, k0, count, offs);
                return;
            }
            int taps = plan.CPerGroup * plan.R * plan.S;
            // Channels past the block's end repeat its last filter; their sums are computed and dropped.
            float* w0 = w + (long)k0 * taps, w1 = w + (long)(k0 + Math.Min(1, count - 1)) * taps;
            float* w2 = w + (long)(k0 + Math.Min(2, count - 1)) * taps, w3 = w + (long)(k0 + Math.Min(3, count - 1)) * taps;
            float* w4 = w + (long)(k0 + Math.Min(4, count - 1)) * taps, w5 = w + (long)(k0 + Math.Min(5, count - 1)) * taps;
            float* image = input + ((long)n * plan.Cin + grp * plan.CPerGroup) * plan.PlaneStride;
            int pq = plan.P * plan.Q;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            float* init = stackalloc float[WideKBlock];
            float* tmp = stackalloc float[WideLanes];
            for (int i = 0; i < WideKBlock; i++) init[i] = bias == null ? 0f : bias[k0 + Math.Min(i, count - 1)];
            for (int p = 0; p < plan.P; p++)
            {
                float* rows = image + (long)p * plan.Sh * plan.RowStride;
                for (int q0 = 0; q0 < plan.Q; q0 += WideLanes)
                {
                    var a00 = Vector512.Create(init[0]); var a01 = a00;
                    var a10 = Vector512.Create(init[1]); var a11 = a10;
                    var a20 = Vector512.Create(init[2]); var a21 = a20;
                    var a30 = Vector512.Create(init[3]); var a31 = a30;
                    var a40 = Vector512.Create(init[4]); var a41 = a40;
                    var a50 = Vector512.Create(init[5]); var a51 = a50;
                    int tap = 0;
                    for (int c = 0; c < plan.CPerGroup; c++)
                    {
                        float* plane = rows + c * plan.PlaneStride + q0;
                        for (int r = 0; r < plan.R; r++)
                        {
                            float* row = plane + (long)r * plan.Dh * plan.RowStride;
                            for (int s = 0; s < plan.S; s++, tap++)
                            {
                                float* src = row + offs[s];
                                var x0 = Vector512.Load(src);
                                var x1 = Vector512.Load(src + 16);
                                var b = Vector512.Create(w0[tap]);
                                a00 = Vector512.MultiplyAddEstimate(x0, b, a00);
                                a01 = Vector512.MultiplyAddEstimate(x1, b, a01);
                                b = Vector512.Create(w1[tap]);
                                a10 = Vector512.MultiplyAddEstimate(x0, b, a10);
                                a11 = Vector512.MultiplyAddEstimate(x1, b, a11);
                                b = Vector512.Create(w2[tap]);
                                a20 = Vector512.MultiplyAddEstimate(x0, b, a20);
                                a21 = Vector512.MultiplyAddEstimate(x1, b, a21);
                                b = Vector512.Create(w3[tap]);
                                a30 = Vector512.MultiplyAddEstimate(x0, b, a30);
                                a31 = Vector512.MultiplyAddEstimate(x1, b, a31);
                                b = Vector512.Create(w4[tap]);
                                a40 = Vector512.MultiplyAddEstimate(x0, b, a40);
                                a41 = Vector512.MultiplyAddEstimate(x1, b, a41);
                                b = Vector512.Create(w5[tap]);
                                a50 = Vector512.MultiplyAddEstimate(x0, b, a50);
                                a51 = Vector512.MultiplyAddEstimate(x1, b, a51);
                            }
                        }
                    }
                    int lanes = Math.Min(WideLanes, plan.Q - q0);
                    float* dst = out0 + (long)p * plan.Q + q0;
                    WideStore(dst, a00, a01, lanes, tmp);
                    if (count > 1) WideStore(dst + pq, a10, a11, lanes, tmp);
                    if (count > 2) WideStore(dst + 2L * pq, a20, a21, lanes, tmp);
                    if (count > 3) WideStore(dst + 3L * pq, a30, a31, lanes, tmp);
                    if (count > 4) WideStore(dst + 4L * pq, a40, a41, lanes, tmp);
                    if (count > 5) WideStore(dst + 5L * pq, a50, a51, lanes, tmp);
                }
            }
        }

        /// <summary>
        /// Rows of at most 16 outputs (the data gradient of LeNet's C3 computes 14-wide rows): one Vector512 per row and two
        /// rows per step, so 14 of 16 lanes work instead of 14 of 32. Same chains as <see cref="WideBlock"/>.
        /// </summary>
        private void TwoRowBlock(int n, int grp, int k0, int count, int* offs)
        {
            int taps = plan.CPerGroup * plan.R * plan.S;
            float* w0 = w + (long)k0 * taps, w1 = w + (long)(k0 + Math.Min(1, count - 1)) * taps;
            float* w2 = w + (long)(k0 + Math.Min(2, count - 1)) * taps, w3 = w + (long)(k0 + Math.Min(3, count - 1)) * taps;
            float* w4 = w + (long)(k0 + Math.Min(4, count - 1)) * taps, w5 = w + (long)(k0 + Math.Min(5, count - 1)) * taps;
            float* image = input + ((long)n * plan.Cin + grp * plan.CPerGroup) * plan.PlaneStride;
            int pq = plan.P * plan.Q;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            float* init = stackalloc float[WideKBlock];
            float* tmp = stackalloc float[WideLanes];
            for (int i = 0; i < WideKBlock; i++) init[i] = bias == null ? 0f : bias[k0 + Math.Min(i, count - 1)];
            for (int p = 0; p < plan.P; p += 2)
            {
                // An odd last row is computed twice and stored once.
                int p1 = Math.Min(p + 1, plan.P - 1);
                float* rows0 = image + (long)p * plan.Sh * plan.RowStride;
                long second = (long)(p1 - p) * plan.Sh * plan.RowStride;
                var a00 = Vector512.Create(init[0]); var a01 = a00;
                var a10 = Vector512.Create(init[1]); var a11 = a10;
                var a20 = Vector512.Create(init[2]); var a21 = a20;
                var a30 = Vector512.Create(init[3]); var a31 = a30;
                var a40 = Vector512.Create(init[4]); var a41 = a40;
                var a50 = Vector512.Create(init[5]); var a51 = a50;
                int tap = 0;
                for (int c = 0; c < plan.CPerGroup; c++)
                {
                    float* plane = rows0 + c * plan.PlaneStride;
                    for (int r = 0; r < plan.R; r++)
                    {
                        float* row = plane + (long)r * plan.Dh * plan.RowStride;
                        for (int s = 0; s < plan.S; s++, tap++)
                        {
                            float* src = row + offs[s];
                            var x0 = Vector512.Load(src);
                            var x1 = Vector512.Load(src + second);
                            var b = Vector512.Create(w0[tap]);
                            a00 = Vector512.MultiplyAddEstimate(x0, b, a00);
                            a01 = Vector512.MultiplyAddEstimate(x1, b, a01);
                            b = Vector512.Create(w1[tap]);
                            a10 = Vector512.MultiplyAddEstimate(x0, b, a10);
                            a11 = Vector512.MultiplyAddEstimate(x1, b, a11);
                            b = Vector512.Create(w2[tap]);
                            a20 = Vector512.MultiplyAddEstimate(x0, b, a20);
                            a21 = Vector512.MultiplyAddEstimate(x1, b, a21);
                            b = Vector512.Create(w3[tap]);
                            a30 = Vector512.MultiplyAddEstimate(x0, b, a30);
                            a31 = Vector512.MultiplyAddEstimate(x1, b, a31);
                            b = Vector512.Create(w4[tap]);
                            a40 = Vector512.MultiplyAddEstimate(x0, b, a40);
                            a41 = Vector512.MultiplyAddEstimate(x1, b, a41);
                            b = Vector512.Create(w5[tap]);
                            a50 = Vector512.MultiplyAddEstimate(x0, b, a50);
                            a51 = Vector512.MultiplyAddEstimate(x1, b, a51);
                        }
                    }
                }
                int q = plan.Q;
                bool two = p1 != p;
                float* dst = out0 + (long)p * q;
                RowStore(dst, a00, q, tmp); if (two) RowStore(dst + q, a01, q, tmp);
                if (count > 1) { RowStore(dst + pq, a10, q, tmp); if (two) RowStore(dst + pq + q, a11, q, tmp); }
                if (count > 2) { RowStore(dst + 2L * pq, a20, q, tmp); if (two) RowStore(dst + 2L * pq + q, a21, q, tmp); }
                if (count > 3) { RowStore(dst + 3L * pq, a30, q, tmp); if (two) RowStore(dst + 3L * pq + q, a31, q, tmp); }
                if (count > 4) { RowStore(dst + 4L * pq, a40, q, tmp); if (two) RowStore(dst + 4L * pq + q, a41, q, tmp); }
                if (count > 5) { RowStore(dst + 5L * pq, a50, q, tmp); if (two) RowStore(dst + 5L * pq + q, a51, q, tmp); }
            }
        }

        /// <summary>The first <paramref name="lanes"/> (≤ 16) lanes of <paramref name="v"/> stored (or added) at dst, after the epilogue.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void RowStore(float* dst, Vector512<float> v, int lanes, float* tmp)
        {
            if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
            StoreFirstLanes(dst, v, lanes, accumulate, tmp);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void WideStore(float* dst, Vector512<float> lo, Vector512<float> hi, int lanes, float* tmp)
        {
            if (relu)
            {
                lo = Vector512.Max(lo, Vector512<float>.Zero);
                hi = Vector512.Max(hi, Vector512<float>.Zero);
            }
            if (lanes >= 16)
            {
                if (accumulate) lo += Vector512.Load(dst);
                lo.Store(dst);
                if (lanes > 16) StoreFirstLanes(dst + 16, hi, lanes - 16, accumulate, tmp);
                return;
            }
            StoreFirstLanes(dst, lo, lanes, accumulate, tmp);
        }    }

    private readonly partial struct ChannelLanesBody
    {
        /// <summary>Output channels k0..k0+15 of image n (block blk of group grp), 12 output pixels per step.</summary>
        private void WideBlock(int n, int grp, int blk, int taps, int* offs)
        {
            // Rows of 6 to 12 outputs (UsesRowPairs): two whole rows per step, exactly Q pixels each (LeNet's C3: 20 of 20
            // accumulators).
            switch (plan.Q)
            {
                case 6: RowPairs<Width6>(n, grp, blk, taps, offs); return;
                case 7: RowPairs<Width7>(n, grp, blk, taps, offs); return;
                case 8: RowPairs<Width8>(n, grp, blk, taps, offs); return;
                case 9: RowPairs<Width9>(n, grp, blk, taps, offs); return;
                case 10: RowPairs<Width10>(n, grp, blk, taps, offs); return;
                case 11: RowPairs<Width11>(n, grp, blk, taps, offs); return;
                case 12: RowPairs<Width12>(n, grp, blk, taps, offs); return;
            }
            int runs = (plan.Q + WidePixelBlock - 1) / WidePixelBlock;
            if (plan.Q * 5 >= runs * WidePixelBlock * 4)
            {
                // Rows split into runs of up to 12 use at least 80% of the accumulators (LeNet's C3: 10 of 12).
                RowRuns(n, grp, blk, taps, offs);
                return;
            }
            Locate(n, grp, blk, taps, out int k0, out int count, out float* image, out float* weights);
            float* init = stackalloc float[ChannelLanes];
            BiasLanes(bias, k0, count, init);
            var b0 = Vector512.Load(init);
            float* tile = stackalloc float[TransposeRows * ChannelLanes];
            int* bases = stackalloc int[WidePixelBlock];
            int pq = plan.P * plan.Q;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            for (int pix0 = 0; pix0 < pq; pix0 += WidePixelBlock)
            {
                int pixels = Math.Min(WidePixelBlock, pq - pix0);
                PixelBases(plan, pix0, pixels, WidePixelBlock, bases);
                var a0 = b0; var a1 = b0; var a2 = b0; var a3 = b0; var a4 = b0; var a5 = b0;
                var a6 = b0; var a7 = b0; var a8 = b0; var a9 = b0; var a10 = b0; var a11 = b0;
                float* wv = weights;
                for (int t = 0; t < taps; t++, wv += ChannelLanes)
                {
                    float* xo = image + offs[t];
                    var wt = Vector512.Load(wv);
                    a0 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[0]]), wt, a0);
                    a1 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[1]]), wt, a1);
                    a2 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[2]]), wt, a2);
                    a3 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[3]]), wt, a3);
                    a4 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[4]]), wt, a4);
                    a5 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[5]]), wt, a5);
                    a6 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[6]]), wt, a6);
                    a7 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[7]]), wt, a7);
                    a8 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[8]]), wt, a8);
                    a9 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[9]]), wt, a9);
                    a10 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[10]]), wt, a10);
                    a11 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[bases[11]]), wt, a11);
                }
                WideStoreRow(tile, a0); WideStoreRow(tile + 16, a1); WideStoreRow(tile + 32, a2);
                WideStoreRow(tile + 48, a3); WideStoreRow(tile + 64, a4); WideStoreRow(tile + 80, a5);
                WideStoreRow(tile + 96, a6); WideStoreRow(tile + 112, a7); WideStoreRow(tile + 128, a8);
                WideStoreRow(tile + 144, a9); WideStoreRow(tile + 160, a10); WideStoreRow(tile + 176, a11);
                TransposeStore(tile, out0 + pix0, pq, count, pixels, accumulate);
            }
        }

        /// <summary>
        /// Output channels k0..k0+15 of image n, 12 consecutive outputs of one row per step (fewer in a row's last run):
        /// the 12 inputs of a tap lie side by side, so one pointer and constant displacements address every broadcast
        /// (no pixel index is loaded, as in <see cref="WideBlock"/>'s blocks across row ends). Same chains, same bits.
        /// </summary>
        private void RowRuns(int n, int grp, int blk, int taps, int* offs)
        {
            Locate(n, grp, blk, taps, out int k0, out int count, out float* image, out float* weights);
            float* init = stackalloc float[ChannelLanes];
            BiasLanes(bias, k0, count, init);
            var b0 = Vector512.Load(init);
            float* tile = stackalloc float[TransposeRows * ChannelLanes];
            int pq = plan.P * plan.Q;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            for (int p = 0; p < plan.P; p++)
            {
                float* row = image + (long)p * plan.Sh * plan.RowStride;
                for (int q0 = 0; q0 < plan.Q; q0 += WidePixelBlock)
                {
                    // Outputs past the row's end read the padded row's tail; their sums are computed and dropped.
                    int pixels = Math.Min(WidePixelBlock, plan.Q - q0);
                    float* x0 = row + q0;
                    var a0 = b0; var a1 = b0; var a2 = b0; var a3 = b0; var a4 = b0; var a5 = b0;
                    var a6 = b0; var a7 = b0; var a8 = b0; var a9 = b0; var a10 = b0; var a11 = b0;
                    float* wv = weights;
                    for (int t = 0; t < taps; t++, wv += ChannelLanes)
                    {
                        float* xo = x0 + offs[t];
                        var wt = Vector512.Load(wv);
                        a0 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[0]), wt, a0);
                        a1 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[1]), wt, a1);
                        a2 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[2]), wt, a2);
                        a3 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[3]), wt, a3);
                        a4 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[4]), wt, a4);
                        a5 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[5]), wt, a5);
                        a6 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[6]), wt, a6);
                        a7 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[7]), wt, a7);
                        a8 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[8]), wt, a8);
                        a9 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[9]), wt, a9);
                        a10 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[10]), wt, a10);
                        a11 = Vector512.MultiplyAddEstimate(Vector512.Create(xo[11]), wt, a11);
                    }
                    WideStoreRow(tile, a0); WideStoreRow(tile + 16, a1); WideStoreRow(tile + 32, a2);
                    WideStoreRow(tile + 48, a3); WideStoreRow(tile + 64, a4); WideStoreRow(tile + 80, a5);
                    WideStoreRow(tile + 96, a6); WideStoreRow(tile + 112, a7); WideStoreRow(tile + 128, a8);
                    WideStoreRow(tile + 144, a9); WideStoreRow(tile + 160, a10); WideStoreRow(tile + 176, a11);
                    TransposeStore(tile, out0 + p * plan.Q + q0, pq, count, pixels, accumulate);
                }
            }
        }

        /// <summary>
        /// Output channels k0..k0+15 of image n, two whole rows of Q = TW.N (6 to 12) outputs per step: 2·Q accumulators, each
        /// tap one filter load for 2·Q broadcast multiply-adds, every lane and accumulator used. An odd last row is computed
        /// twice and stored once. The two rows are consecutive in the output plane, so the tile goes out through 16×16
        /// register transposes (<see cref="TransposeStore"/>). Same chains as every other blocking, same bits.
        /// </summary>
        private void RowPairs<TW>(int n, int grp, int blk, int taps, int* offs) where TW : struct, IRunWidth
        {
            int w = TW.N;
            Locate(n, grp, blk, taps, out int k0, out int count, out float* image, out float* weights);
            float* init = stackalloc float[ChannelLanes];
            BiasLanes(bias, k0, count, init);
            var b0 = Vector512.Load(init);
            float* tile = stackalloc float[2 * TransposeRows * ChannelLanes];
            int pq = plan.P * plan.Q;
            long rowStep = (long)plan.Sh * plan.RowStride;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            bool shareRows = plan.Sh == 1 && plan.Dh == 1;
            // The item's outputs (count planes of P·Q) are written only at the end of each row pair; fetching their lines now
            // overlaps the misses of a freshly allocated output (every Functional call's) with the multiply-adds.
            if (Sse.IsSupported)
                for (int j = 0; j < count; j++)
                {
                    float* plane = out0 + (long)j * pq;
                    for (int i = 0; i < pq; i += 16) Sse.Prefetch0(plane + i);
                }
            for (int p = 0; p < plan.P; p += 2)
            {
                bool two = p + 1 < plan.P;
                float* x0 = image + p * rowStep;
                nint gap = two ? (nint)rowStep : 0;
                var a0 = b0; var a1 = b0; var a2 = b0; var a3 = b0; var a4 = b0; var a5 = b0;
                var a6 = b0; var a7 = b0; var a8 = b0; var a9 = b0; var a10 = b0; var a11 = b0;
                var c0 = b0; var c1 = b0; var c2 = b0; var c3 = b0; var c4 = b0; var c5 = b0;
                var c6 = b0; var c7 = b0; var c8 = b0; var c9 = b0; var c10 = b0; var c11 = b0;
                if (shareRows && two)
                {
                    // Stride 1, dilation 1: input row p + i feeds row p at filter row i and row p + 1 at filter row i − 1, so
                    // each input value is broadcast once for both rows (half the loads). Every output still takes its taps
                    // in (c, r, s) order: the same chains, the same bits.
                    Vector512<float> v0 = default, v1 = default, v2 = default, v3 = default, v4 = default, v5 = default;
                    Vector512<float> v6 = default, v7 = default, v8 = default, v9 = default, v10 = default, v11 = default;
                    for (int c = 0; c < plan.CPerGroup; c++)
                        for (int i = 0; i <= plan.R; i++)
                        {
                            // Per (c, i): the tap offsets of filter row min(i, R − 1) (one input row further for i = R), and
                            // the filters of rows i (for row p) and i − 1 (for row p + 1).
                            int below = Math.Min(i, plan.R - 1);
                            int* rowOffs = offs + (c * plan.R + below) * plan.S;
                            float* xi = x0 + (i - below) * rowStep;
                            float* wRowA = weights + (long)(c * plan.R + i) * plan.S * ChannelLanes;
                            float* wRowB = wRowA - (long)plan.S * ChannelLanes;
                            for (int sc = 0; sc < plan.S; sc++)
                            {
                                float* xr = xi + rowOffs[sc];
                                    v0 = Vector512.Create(xr[0]);
                                    v1 = Vector512.Create(xr[1]);
                                    v2 = Vector512.Create(xr[2]);
                                    v3 = Vector512.Create(xr[3]);
                                    v4 = Vector512.Create(xr[4]);
                                    v5 = Vector512.Create(xr[5]);
                                    if (TW.N > 6) v6 = Vector512.Create(xr[6]);
                                    if (TW.N > 7) v7 = Vector512.Create(xr[7]);
                                    if (TW.N > 8) v8 = Vector512.Create(xr[8]);
                                    if (TW.N > 9) v9 = Vector512.Create(xr[9]);
                                    if (TW.N > 10) v10 = Vector512.Create(xr[10]);
                                    if (TW.N > 11) v11 = Vector512.Create(xr[11]);
                                if (i < plan.R)
                                {
                                    var wa = Vector512.Load(wRowA + sc * ChannelLanes);
                                        a0 = Vector512.MultiplyAddEstimate(v0, wa, a0);
                                        a1 = Vector512.MultiplyAddEstimate(v1, wa, a1);
                                        a2 = Vector512.MultiplyAddEstimate(v2, wa, a2);
                                        a3 = Vector512.MultiplyAddEstimate(v3, wa, a3);
                                        a4 = Vector512.MultiplyAddEstimate(v4, wa, a4);
                                        a5 = Vector512.MultiplyAddEstimate(v5, wa, a5);
                                        if (TW.N > 6) a6 = Vector512.MultiplyAddEstimate(v6, wa, a6);
                                        if (TW.N > 7) a7 = Vector512.MultiplyAddEstimate(v7, wa, a7);
                                        if (TW.N > 8) a8 = Vector512.MultiplyAddEstimate(v8, wa, a8);
                                        if (TW.N > 9) a9 = Vector512.MultiplyAddEstimate(v9, wa, a9);
                                        if (TW.N > 10) a10 = Vector512.MultiplyAddEstimate(v10, wa, a10);
                                        if (TW.N > 11) a11 = Vector512.MultiplyAddEstimate(v11, wa, a11);
                                }
                                if (i > 0)
                                {
                                    var wb = Vector512.Load(wRowB + sc * ChannelLanes);
                                        c0 = Vector512.MultiplyAddEstimate(v0, wb, c0);
                                        c1 = Vector512.MultiplyAddEstimate(v1, wb, c1);
                                        c2 = Vector512.MultiplyAddEstimate(v2, wb, c2);
                                        c3 = Vector512.MultiplyAddEstimate(v3, wb, c3);
                                        c4 = Vector512.MultiplyAddEstimate(v4, wb, c4);
                                        c5 = Vector512.MultiplyAddEstimate(v5, wb, c5);
                                        if (TW.N > 6) c6 = Vector512.MultiplyAddEstimate(v6, wb, c6);
                                        if (TW.N > 7) c7 = Vector512.MultiplyAddEstimate(v7, wb, c7);
                                        if (TW.N > 8) c8 = Vector512.MultiplyAddEstimate(v8, wb, c8);
                                        if (TW.N > 9) c9 = Vector512.MultiplyAddEstimate(v9, wb, c9);
                                        if (TW.N > 10) c10 = Vector512.MultiplyAddEstimate(v10, wb, c10);
                                        if (TW.N > 11) c11 = Vector512.MultiplyAddEstimate(v11, wb, c11);
                                }
                            }
                        }
                }
                else
                for (int t = 0; t < taps; t++)
                {
                    float* xa = x0 + offs[t];
                    float* xb = xa + gap;
                    var wt = Vector512.Load(weights + (long)t * ChannelLanes);
                    a0 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[0]), wt, a0);
                    a1 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[1]), wt, a1);
                    a2 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[2]), wt, a2);
                    a3 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[3]), wt, a3);
                    a4 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[4]), wt, a4);
                    a5 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[5]), wt, a5);
                    if (TW.N > 6) a6 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[6]), wt, a6);
                    if (TW.N > 7) a7 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[7]), wt, a7);
                    if (TW.N > 8) a8 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[8]), wt, a8);
                    if (TW.N > 9) a9 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[9]), wt, a9);
                    if (TW.N > 10) a10 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[10]), wt, a10);
                    if (TW.N > 11) a11 = Vector512.MultiplyAddEstimate(Vector512.Create(xa[11]), wt, a11);
                    c0 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[0]), wt, c0);
                    c1 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[1]), wt, c1);
                    c2 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[2]), wt, c2);
                    c3 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[3]), wt, c3);
                    c4 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[4]), wt, c4);
                    c5 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[5]), wt, c5);
                    if (TW.N > 6) c6 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[6]), wt, c6);
                    if (TW.N > 7) c7 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[7]), wt, c7);
                    if (TW.N > 8) c8 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[8]), wt, c8);
                    if (TW.N > 9) c9 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[9]), wt, c9);
                    if (TW.N > 10) c10 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[10]), wt, c10);
                    if (TW.N > 11) c11 = Vector512.MultiplyAddEstimate(Vector512.Create(xb[11]), wt, c11);
                }
                // Tile: pixel i of the two rows (row p: 0..w−1, row p + 1: w..2w−1) at tile + 16·i.
                WideStoreRow(tile, a0); WideStoreRow(tile + 16, a1); WideStoreRow(tile + 32, a2); WideStoreRow(tile + 48, a3);
                WideStoreRow(tile + 64, a4); WideStoreRow(tile + 80, a5);
                if (TW.N > 6) WideStoreRow(tile + 96, a6);
                if (TW.N > 7) WideStoreRow(tile + 112, a7);
                if (TW.N > 8) WideStoreRow(tile + 128, a8);
                if (TW.N > 9) WideStoreRow(tile + 144, a9);
                if (TW.N > 10) WideStoreRow(tile + 160, a10);
                if (TW.N > 11) WideStoreRow(tile + 176, a11);
                float* second = tile + w * ChannelLanes;
                WideStoreRow(second, c0); WideStoreRow(second + 16, c1); WideStoreRow(second + 32, c2); WideStoreRow(second + 48, c3);
                WideStoreRow(second + 64, c4); WideStoreRow(second + 80, c5);
                if (TW.N > 6) WideStoreRow(second + 96, c6);
                if (TW.N > 7) WideStoreRow(second + 112, c7);
                if (TW.N > 8) WideStoreRow(second + 128, c8);
                if (TW.N > 9) WideStoreRow(second + 144, c9);
                if (TW.N > 10) WideStoreRow(second + 160, c10);
                if (TW.N > 11) WideStoreRow(second + 176, c11);
                TransposeStore(tile, out0 + p * plan.Q, pq, count, two ? 2 * w : w, accumulate);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void WideStoreRow(float* dst, Vector512<float> v)
        {
            if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
            v.Store(dst);
        }
    }

    /// <summary>
    /// The first <paramref name="lanes"/> (1 to 16) lanes of <paramref name="v"/> stored at, or added to, dst; nothing past them
    /// is read or written. With AVX: whole 8-lane halves, then one masked store (LeNet's C1 rows of 28 = 16 + 8 + 4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirstLanes(float* dst, Vector512<float> v, int lanes, bool accumulate, float* tmp)
    {
        if (lanes == 16)
        {
            if (accumulate) v += Vector512.Load(dst);
            v.Store(dst);
            return;
        }
        if (!Avx.IsSupported)
        {
            v.Store(tmp);
            if (accumulate)
                for (int i = 0; i < lanes; i++) dst[i] += tmp[i];
            else
                for (int i = 0; i < lanes; i++) dst[i] = tmp[i];
            return;
        }
        var half = v.GetLower();
        if (lanes >= 8)
        {
            if (accumulate) half += Vector256.Load(dst);
            half.Store(dst);
            if (lanes == 8) return;
            dst += 8;
            lanes -= 8;
            half = v.GetUpper();
        }
        // Lanes below `lanes` have their sign bit set in the mask: only they are read and written.
        var mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(lanes)).AsSingle();
        if (accumulate) half += Avx.MaskLoad(dst, mask);
        Avx.MaskStore(dst, mask, half);
    }

    /// <summary>Whether the wide channel-lane blocking runs <paramref name="plan"/> in row pairs (rows of 6 to 12 outputs).</summary>
    private static bool UsesRowPairs(in Plan plan) => plan.Q is >= 6 and <= 12;

    /// <summary>A run width as a type, so <see cref="ChannelLanesBody"/>'s row-pair kernel compiles to exactly that many accumulators.</summary>
    private interface IRunWidth
    {
        static abstract int N { get; }
    }

    private readonly struct Width6 : IRunWidth { public static int N => 6; }

    private readonly struct Width7 : IRunWidth { public static int N => 7; }

    private readonly struct Width8 : IRunWidth { public static int N => 8; }

    private readonly struct Width9 : IRunWidth { public static int N => 9; }

    private readonly struct Width10 : IRunWidth { public static int N => 10; }

    private readonly struct Width11 : IRunWidth { public static int N => 11; }

    private readonly struct Width12 : IRunWidth { public static int N => 12; }

    /// <summary>Rows a channel-lane tile is allocated with: whole 16-pixel groups for <see cref="TransposeStore"/>.</summary>
    private const int TransposeRows = 16;

    /// <summary>
    /// The channel-lane tile (pixel i at tile + 16·i; rows up to the next multiple of 16 readable) into y: channel j's
    /// <paramref name="pixels"/> consecutive outputs at dst + j·channelStride, stored or added. Each group of up to 16 pixels
    /// goes through a 16×16 transpose in AVX-512 registers (unpack 32-bit, unpack 64-bit, then two 128-bit lane shuffles) and
    /// one store per channel, masked for a partial group (rows past the pixels are read and dropped).
    /// </summary>
    private static void TransposeStore(float* tile, float* dst, int channelStride, int count, int pixels, bool accumulate)
    {
        if (!Avx512F.IsSupported)
        {
            ScatterTile(tile, dst, channelStride, count, pixels, accumulate);
            return;
        }
        var columns = stackalloc Vector512<float>[16];
        float* tmp = stackalloc float[16];
        for (int i0 = 0; i0 < pixels; i0 += 16)
        {
            int lanes = Math.Min(16, pixels - i0);
            Transpose16(tile + i0 * ChannelLanes, columns);
            for (int j = 0; j < count; j++)
                StoreFirstLanes(dst + (long)j * channelStride + i0, columns[j], lanes, accumulate, tmp);
        }
    }

    /// <summary>columns[j][i] = rows[16·i + j] for i, j &lt; 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(float* rows, Vector512<float>* columns)
    {
        // Stage 1, within 128-bit lanes: t(2k) = (r2k[0], r2k+1[0], r2k[1], r2k+1[1]), t(2k+1) the same for elements 2, 3.
        // Locals, not arrays, so the whole transpose stays in registers.
        Vector512<float> r0 = Vector512.Load(rows), r1 = Vector512.Load(rows + 16), r2 = Vector512.Load(rows + 32), r3 = Vector512.Load(rows + 48);
        Vector512<float> r4 = Vector512.Load(rows + 64), r5 = Vector512.Load(rows + 80), r6 = Vector512.Load(rows + 96), r7 = Vector512.Load(rows + 112);
        Vector512<float> r8 = Vector512.Load(rows + 128), r9 = Vector512.Load(rows + 144), r10 = Vector512.Load(rows + 160), r11 = Vector512.Load(rows + 176);
        Vector512<float> r12 = Vector512.Load(rows + 192), r13 = Vector512.Load(rows + 208), r14 = Vector512.Load(rows + 224), r15 = Vector512.Load(rows + 240);
        Vector512<double> t0 = Avx512F.UnpackLow(r0, r1).AsDouble(), t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
        Vector512<double> t2 = Avx512F.UnpackLow(r2, r3).AsDouble(), t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
        Vector512<double> t4 = Avx512F.UnpackLow(r4, r5).AsDouble(), t5 = Avx512F.UnpackHigh(r4, r5).AsDouble();
        Vector512<double> t6 = Avx512F.UnpackLow(r6, r7).AsDouble(), t7 = Avx512F.UnpackHigh(r6, r7).AsDouble();
        Vector512<double> t8 = Avx512F.UnpackLow(r8, r9).AsDouble(), t9 = Avx512F.UnpackHigh(r8, r9).AsDouble();
        Vector512<double> t10 = Avx512F.UnpackLow(r10, r11).AsDouble(), t11 = Avx512F.UnpackHigh(r10, r11).AsDouble();
        Vector512<double> t12 = Avx512F.UnpackLow(r12, r13).AsDouble(), t13 = Avx512F.UnpackHigh(r12, r13).AsDouble();
        Vector512<double> t14 = Avx512F.UnpackLow(r14, r15).AsDouble(), t15 = Avx512F.UnpackHigh(r14, r15).AsDouble();
        // Stage 2, 64-bit pairs: u(4g + e) holds element e of each 128-bit lane for rows 4g..4g+3.
        Vector512<float> u0 = Avx512F.UnpackLow(t0, t2).AsSingle(), u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
        Vector512<float> u2 = Avx512F.UnpackLow(t1, t3).AsSingle(), u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        Vector512<float> u4 = Avx512F.UnpackLow(t4, t6).AsSingle(), u5 = Avx512F.UnpackHigh(t4, t6).AsSingle();
        Vector512<float> u6 = Avx512F.UnpackLow(t5, t7).AsSingle(), u7 = Avx512F.UnpackHigh(t5, t7).AsSingle();
        Vector512<float> u8 = Avx512F.UnpackLow(t8, t10).AsSingle(), u9 = Avx512F.UnpackHigh(t8, t10).AsSingle();
        Vector512<float> u10 = Avx512F.UnpackLow(t9, t11).AsSingle(), u11 = Avx512F.UnpackHigh(t9, t11).AsSingle();
        Vector512<float> u12 = Avx512F.UnpackLow(t12, t14).AsSingle(), u13 = Avx512F.UnpackHigh(t12, t14).AsSingle();
        Vector512<float> u14 = Avx512F.UnpackLow(t13, t15).AsSingle(), u15 = Avx512F.UnpackHigh(t13, t15).AsSingle();
        // Stage 3, 128-bit lanes: v(e) = columns e and e + 8 of rows 0..7, v(e + 4) columns e + 4 and e + 12; v(8 + …) rows 8..15.
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
        Vector512<float> v1 = Avx512F.Shuffle4x128(u1, u5, 0x88), v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88), v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
        Vector512<float> v3 = Avx512F.Shuffle4x128(u3, u7, 0x88), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
        Vector512<float> v9 = Avx512F.Shuffle4x128(u9, u13, 0x88), v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88), v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
        Vector512<float> v11 = Avx512F.Shuffle4x128(u11, u15, 0x88), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        // Stage 4: column c from the lanes of rows 0..7 and 8..15.
        columns[0] = Avx512F.Shuffle4x128(v0, v8, 0x88); columns[8] = Avx512F.Shuffle4x128(v0, v8, 0xDD);
        columns[1] = Avx512F.Shuffle4x128(v1, v9, 0x88); columns[9] = Avx512F.Shuffle4x128(v1, v9, 0xDD);
        columns[2] = Avx512F.Shuffle4x128(v2, v10, 0x88); columns[10] = Avx512F.Shuffle4x128(v2, v10, 0xDD);
        columns[3] = Avx512F.Shuffle4x128(v3, v11, 0x88); columns[11] = Avx512F.Shuffle4x128(v3, v11, 0xDD);
        columns[4] = Avx512F.Shuffle4x128(v4, v12, 0x88); columns[12] = Avx512F.Shuffle4x128(v4, v12, 0xDD);
        columns[5] = Avx512F.Shuffle4x128(v5, v13, 0x88); columns[13] = Avx512F.Shuffle4x128(v5, v13, 0xDD);
        columns[6] = Avx512F.Shuffle4x128(v6, v14, 0x88); columns[14] = Avx512F.Shuffle4x128(v6, v14, 0xDD);
        columns[7] = Avx512F.Shuffle4x128(v7, v15, 0x88); columns[15] = Avx512F.Shuffle4x128(v7, v15, 0xDD);
    }
}
