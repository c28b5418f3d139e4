// Direct convolution with output channels in the vector lanes: the variant of DirectConvKernel's
// register blocking for layers whose output rows are short next to 16 lanes but whose channel count
// fills vectors (LeNet's C3: 16 channels of 10×10 outputs, where 16-wide rows would leave 6 of 16
// lanes idle). Same formula and the same phase-split padded input (see DirectConvKernel.cs):
//   y[n,k,p,q] = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw]
//   x: (N, C, H, W)  w: (K, C/G, R, S)  y: (N, K, P, Q);  packed filters wp: (G, ⌈(K/G)/16⌉, C/G·R·S, 16)
// Register block: 6 output pixels (consecutive in row-major (p, q) order, across row ends) × 16 output
// channels in two Vector256 = 12 accumulators; each tap loads two filter vectors and broadcasts one
// input value per pixel. The input value of pixel (p, q) at tap (c', r, s) sits at
// pixelBase(p, q) + tapOffset(c', r, s) in the padded planes, so a pixel block needs no row logic.
// Rounding: each output is the same chain of fused multiply-adds, from b[k], in the same (c', r, s)
// order as the pixel-lane blocking, so the two variants give identical bits and either may be used.
// Threading: items are (image, group, block of 16 channels); each output element belongs to one item.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

public static unsafe partial class DirectConvKernel
{
    // Output channels per register block (two Vector256) and output pixels per block.
    private const int ChannelLanes = 16;
    private const int PixelBlock = 6;

    /// <summary>
    /// Whether the channel-lane blocking wastes fewer lanes than the pixel-lane blocking for <paramref name="plan"/>:
    /// the share of useful lanes is (K/G)/⌈(K/G)/8⌉·8 against Q/⌈Q/16⌉·16 (wide: (K/G)/⌈(K/G)/16⌉·16 against
    /// Q/⌈Q/32⌉·32 · (K/G)/⌈(K/G)/6⌉·6).
    /// </summary>
    private static bool PrefersChannelLanes(in Plan plan)
    {
        int k = plan.KPerGroup;
        if (k < 8) return false;
        if (plan.Wide)
        {
            // One Vector512 of 16 channels against 6-channel blocks of 32-wide row steps.
            double wideChannelUse = (double)k / ConvSupport.RoundUp(k, ChannelLanes);
            double widePixelUse = (double)plan.Q / ConvSupport.RoundUp(plan.Q, WideLanes) * k / ConvSupport.RoundUp(k, WideKBlock);
            return wideChannelUse > widePixelUse;
        }
        double channelUse = (double)k / ConvSupport.RoundUp(k, 8);
        double pixelUse = (double)plan.Q / ConvSupport.RoundUp(plan.Q, Lanes);
        return channelUse > pixelUse;
    }

    /// <summary>Floats of the packed filters for the channel-lane blocking.</summary>
    private static long PackedChannelLength(in Plan plan) =>
        (long)plan.Groups * ChannelBlocks(plan) * plan.CPerGroup * plan.R * plan.S * ChannelLanes;

    private static int ChannelBlocks(in Plan plan) => (plan.KPerGroup + ChannelLanes - 1) / ChannelLanes;

    /// <summary>wp[g, blk, tap, j] = w[g·K/G + blk·16 + j, tap], zero for channels past the group's end.</summary>
    private static void PackChannelLanes(in Plan plan, float* w, float* wp)
    {
        int taps = plan.CPerGroup * plan.R * plan.S, blocks = ChannelBlocks(plan);
        for (int grp = 0; grp < plan.Groups; grp++)
            for (int blk = 0; blk < blocks; blk++)
            {
                float* dst = wp + ((long)grp * blocks + blk) * taps * ChannelLanes;
                for (int j = 0; j < ChannelLanes; j++)
                {
                    int k = blk * ChannelLanes + j;
                    float* src = w + ((long)grp * plan.KPerGroup + k) * taps;
                    if (k < plan.KPerGroup)
                        for (int t = 0; t < taps; t++) dst[(long)t * ChannelLanes + j] = src[t];
                    else
                        for (int t = 0; t < taps; t++) dst[(long)t * ChannelLanes + j] = 0f;
                }
            }
    }

    /// <summary>
    /// The channel-lane tile (pixel, channel: 16 floats per pixel) into y (channel, pixel): channel j's <paramref name="pixels"/>
    /// outputs go to <paramref name="dst"/> + j·<paramref name="channelStride"/>, stored or added.
    /// </summary>
    private static void ScatterTile(float* tile, float* dst, int channelStride, int count, int pixels, bool accumulate)
    {
        for (int j = 0; j < count; j++)
        {
            float* row = dst + (long)j * channelStride;
            if (accumulate)
                for (int i = 0; i < pixels; i++) row[i] += tile[i * ChannelLanes + j];
            else
                for (int i = 0; i < pixels; i++) row[i] = tile[i * ChannelLanes + j];
        }
    }

    /// <summary>init[j] = b[k0 + j] for the block's <paramref name="count"/> channels, 0 past them or without a bias.</summary>
    private static void BiasLanes(float* bias, int k0, int count, float* init)
    {
        for (int j = 0; j < ChannelLanes; j++) init[j] = bias == null || j >= count ? 0f : bias[k0 + j];
    }

    /// <summary>
    /// Offsets in the padded planes of <paramref name="block"/> consecutive output pixels from pix0 (row-major, across
    /// row ends); pixels past the last repeat it, and their sums are computed and dropped.
    /// </summary>
    private static void PixelBases(in Plan plan, int pix0, int pixels, int block, int* bases)
    {
        for (int i = 0; i < block; i++)
        {
            int pix = pix0 + Math.Min(i, pixels - 1);
            int p = pix / plan.Q, q = pix - p * plan.Q;
            bases[i] = p * plan.Sh * plan.RowStride + q;
        }
    }

    /// <summary>One item: one image, one block of up to 16 output channels of a group, every output pixel.</summary>
    private readonly partial struct ChannelLanesBody(Plan plan, float* input, float* packed, float* bias, float* y, bool relu, bool accumulate) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int taps = plan.CPerGroup * plan.R * plan.S;
            Span<int> offsets = taps <= 2048 ? stackalloc int[taps] : new int[taps];
            int t = 0;
            for (int c = 0; c < plan.CPerGroup; c++)
                for (int r = 0; r < plan.R; r++)
                    for (int s = 0; s < plan.S; s++, t++)
                    {
                        int col = s * plan.Dw;
                        offsets[t] = (int)(c * plan.PlaneStride) + r * plan.Dh * plan.RowStride + col % plan.Sw * plan.PhaseLength + col / plan.Sw;
                    }
            int blocks = ChannelBlocks(plan);
            fixed (int* offs = offsets)
            {
                for (int item = start; item < end; item++)
                {
                    int n = item / (plan.Groups * blocks), rest = item - n * plan.Groups * blocks;
                    int grp = rest / blocks, blk = rest - grp * blocks;
                    if (plan.Wide) WideBlock(n, grp, blk, taps, offs);
                    else Block(n, grp, blk, taps, offs);
                }
            }
        }

        /// <summary>
        /// Block blk of group grp for image n: its first output channel, its channel count (16, fewer at a group's end), its
        /// group's input planes and its packed filters.
        /// </summary>
        private void Locate(int n, int grp, int blk, int taps, out int k0, out int count, out float* image, out float* weights)
        {
            k0 = grp * plan.KPerGroup + blk * ChannelLanes;
            count = Math.Min(ChannelLanes, plan.KPerGroup - blk * ChannelLanes);
            image = input + ((long)n * plan.Cin + grp * plan.CPerGroup) * plan.PlaneStride;
            weights = packed + ((long)grp * ChannelBlocks(plan) + blk) * taps * ChannelLanes;
        }

        private void Block(int n, int grp, int blk, int taps, int* offs)
        {
            Locate(n, grp, blk, taps, out int k0, out int count, out float* image, out float* weights);
            float* init = stackalloc float[ChannelLanes];
            BiasLanes(bias, k0, count, init);
            var b0 = Vector256.Load(init);
            var b1 = Vector256.Load(init + 8);
            float* tile = stackalloc float[PixelBlock * ChannelLanes];
            int* bases = stackalloc int[PixelBlock];
            int pq = plan.P * plan.Q;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            for (int pix0 = 0; pix0 < pq; pix0 += PixelBlock)
            {
                int pixels = Math.Min(PixelBlock, pq - pix0);
                PixelBases(plan, pix0, pixels, PixelBlock, bases);
                float* x0 = image + bases[0], x1 = image + bases[1], x2 = image + bases[2];
                float* x3 = image + bases[3], x4 = image + bases[4], x5 = image + bases[5];
                var a00 = b0; var a01 = b1; var a10 = b0; var a11 = b1; var a20 = b0; var a21 = b1;
                var a30 = b0; var a31 = b1; var a40 = b0; var a41 = b1; var a50 = b0; var a51 = b1;
                float* wv = weights;
                for (int t = 0; t < taps; t++, wv += ChannelLanes)
                {
                    int o = offs[t];
                    var w0 = Vector256.Load(wv);
                    var w1 = Vector256.Load(wv + 8);
                    var v = Vector256.Create(x0[o]);
                    a00 = Vector256.MultiplyAddEstimate(v, w0, a00);
                    a01 = Vector256.MultiplyAddEstimate(v, w1, a01);
                    v = Vector256.Create(x1[o]);
                    a10 = Vector256.MultiplyAddEstimate(v, w0, a10);
                    a11 = Vector256.MultiplyAddEstimate(v, w1, a11);
                    v = Vector256.Create(x2[o]);
                    a20 = Vector256.MultiplyAddEstimate(v, w0, a20);
                    a21 = Vector256.MultiplyAddEstimate(v, w1, a21);
                    v = Vector256.Create(x3[o]);
                    a30 = Vector256.MultiplyAddEstimate(v, w0, a30);
                    a31 = Vector256.MultiplyAddEstimate(v, w1, a31);
                    v = Vector256.Create(x4[o]);
                    a40 = Vector256.MultiplyAddEstimate(v, w0, a40);
                    a41 = Vector256.MultiplyAddEstimate(v, w1, a41);
                    v = Vector256.Create(x5[o]);
                    a50 = Vector256.MultiplyAddEstimate(v, w0, a50);
                    a51 = Vector256.MultiplyAddEstimate(v, w1, a51);
                }
                StoreRow(tile, a00, a01);
                StoreRow(tile + ChannelLanes, a10, a11);
                StoreRow(tile + 2 * ChannelLanes, a20, a21);
                StoreRow(tile + 3 * ChannelLanes, a30, a31);
                StoreRow(tile + 4 * ChannelLanes, a40, a41);
                StoreRow(tile + 5 * ChannelLanes, a50, a51);
                ScatterTile(tile, out0 + pix0, pq, count, pixels, accumulate);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void StoreRow(float* dst, Vector256<float> lo, Vector256<float> hi)
        {
            if (relu)
            {
                lo = Vector256.Max(lo, Vector256<float>.Zero);
                hi = Vector256.Max(hi, Vector256<float>.Zero);
            }
            lo.Store(dst);
            hi.Store(dst + 8);
        }
    }
}
