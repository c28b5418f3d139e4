#!/usr/bin/python3
"""Reference PNG files for the decoder tests (tests/Striate.Tests/Imaging/PngFixtureTests.cs).

Writes tests/Striate.Tests/Fixtures/png/*.png and png/expected.json. Two sources of files:

* "pil_*": written by PIL (Pillow), an outside encoder: 1-bit, 8-bit and 16-bit grey, grey+alpha,
  RGB, RGBA, 2/4/8-bit palettes, tRNS colour keys and palette alpha.
* "hand_*": written by this script's own small encoder for every colour type x bit depth that PNG
  allows, plain and Adam7-interlaced, with the row filter cycling None, Sub, Up, Average, Paeth, so
  every filter and every pass layout is exercised (PIL's encoder cannot write interlaced files or
  choose filters). Each file is then read back with PIL and checked against the pixels it was made
  from, so the files are known to be valid PNG.

expected.json lists, per file, the image as Striate.Imaging.Png.Decode must return it: width, height,
channels (grey 1, grey+alpha 2, RGB 3, RGBA 4: palettes expand to RGB or RGBA, a tRNS colour key adds
an alpha channel), the 8-bit samples (sub-byte grey scaled by 255/(2^d - 1), 16-bit rounded as
(v*255 + 32767) // 65535), and for 16-bit files the 16-bit samples. Deterministic (seeded).

Run: /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_png.py
"""
import json
import os
import random
import struct
import zlib

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "png")
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
SPP = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i] if prior is not None else 0
        c = prior[i - bpp] if prior is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (x - pred) & 0xFF
    return bytes(out)


def pack_row(samples, depth):
    """samples: flat list of sample values of one row."""
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in samples)
    if depth == 8:
        return bytes(samples)
    out = bytearray((len(samples) * depth + 7) // 8)
    for i, v in enumerate(samples):
        bit = i * depth
        out[bit >> 3] |= v << (8 - depth - (bit & 7))
    return bytes(out)


def encode(width, height, color_type, depth, rows, interlace, palette=None, trns=None):
    """rows[y][x] is a tuple of raw samples. Filters cycle 0..4 over the rows of each pass."""
    spp = SPP[color_type]
    bpp = max(1, spp * depth // 8)
    passes = [(0, 0, 1, 1)] if not interlace else ADAM7
    raw = bytearray()
    counter = 0
    for x0, y0, dx, dy in passes:
        xs = list(range(x0, width, dx))
        ys = list(range(y0, height, dy))
        if not xs or not ys:
            continue
        prior = None
        for y in ys:
            packed = pack_row([s for x in xs for s in rows[y][x]], depth)
            kind = counter % 5
            counter += 1
            raw.append(kind)
            raw += filter_row(kind, packed, prior, bpp)
            prior = packed
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlace else 0)
    body = chunk(b"IHDR", ihdr)
    if palette is not None:
        body += chunk(b"PLTE", bytes(v for rgb in palette for v in rgb))
    if trns is not None:
        body += chunk(b"tRNS", trns)
    data = zlib.compress(bytes(raw), 9)
    # Split the image data over several IDAT chunks to exercise concatenation.
    third = max(1, len(data) // 3)
    for start in range(0, len(data), third):
        body += chunk(b"IDAT", data[start:start + third])
    body += chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def to8(v, depth):
    if depth == 16:
        return (v * 255 + 32767) // 65535
    if depth == 8:
        return v
    return v * 255 // ((1 << depth) - 1)


def expected_from_samples(width, height, color_type, depth, rows, palette, trns_key, palette_alpha):
    """The decoder's output for hand-made files: (channels, pixels8, samples16 or None)."""
    pix, s16 = [], []
    for y in range(height):
        for x in range(width):
            s = rows[y][x]
            if color_type == 3:
                r, g, b = palette[s[0]]
                px = [r, g, b]
                if palette_alpha is not None:
                    px.append(palette_alpha[s[0]] if s[0] < len(palette_alpha) else 255)
                pix += px
                continue
            vals = list(s)
            if trns_key is not None:
                vals.append(0 if tuple(s) == tuple(trns_key) else (1 << depth) - 1)
            pix += [to8(v, depth) for v in vals]
            s16 += vals
    channels = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}[color_type] + (1 if trns_key is not None or palette_alpha is not None else 0)
    return channels, pix, (s16 if depth == 16 else None)


def pil_view(path, color_type, depth, channels):
    """PIL's decoding of a file, as comparable flat samples: 8-bit or (for 16-bit grey) 16-bit."""
    im = Image.open(path)
    im.load()
    if color_type == 3:
        return list(sum(im.convert("RGBA" if channels == 4 else "RGB").getdata(), ()))
    if color_type == 0:
        if depth == 16:
            return list(im.getdata())
        return list(im.convert("L").getdata())
    # 16-bit colour: PIL keeps the high byte of each sample (and opens 16-bit grey+alpha as RGBA).
    if color_type == 4 and im.mode == "RGBA":
        return [s for px in im.getdata() for s in (px[0], px[3])]
    return list(sum(im.getdata(), ()))


def check_hand(path, color_type, depth, channels, pix, s16):
    got = pil_view(path, color_type, depth, channels)
    if color_type == 0:
        want = s16[::channels] if depth == 16 else pix[::channels]
    elif depth == 16:
        n = SPP[color_type]
        want = [v >> 8 for i, v in enumerate(s16) if i % channels < n]
    else:
        want = pix
    assert got == want, f"PIL disagrees with the generator on {os.path.basename(path)}"


def hand_cases(rng):
    combos = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8),
              (4, 8), (4, 16), (6, 8), (6, 16)]
    cases = []
    for color_type, depth in combos:
        for interlace in (False, True):
            width, height = (11, 9) if not interlace else (13, 10)
            spp = SPP[color_type]
            top = (1 << depth) - 1
            palette = palette_alpha = trns_key = None
            trns = None
            if color_type == 3:
                count = min(1 << depth, 200)
                palette = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(count)]
                top = count - 1
                if depth != 1:
                    palette_alpha = [rng.randrange(256) for _ in range(count // 2)]
                    trns = bytes(palette_alpha)
            rows = [[tuple(rng.randint(0, top) for _ in range(spp)) for _ in range(width)] for _ in range(height)]
            if (color_type, depth) in ((0, 4), (2, 16)):
                trns_key = rows[1][2]   # a colour that occurs, so some pixels become transparent
                trns = b"".join(struct.pack(">H", v) for v in trns_key)
            name = f"hand_ct{color_type}_d{depth}{'_adam7' if interlace else ''}.png"
            data = encode(width, height, color_type, depth, rows, interlace, palette, trns)
            path = os.path.join(OUT, name)
            with open(path, "wb") as f:
                f.write(data)
            channels, pix, s16 = expected_from_samples(width, height, color_type, depth, rows, palette, trns_key, palette_alpha)
            check_hand(path, color_type, depth, channels, pix, s16)
            cases.append(dict(file=name, width=width, height=height, channels=channels, pixels=pix, samples16=s16))
    # Tiny interlaced images: passes that are empty must contribute no bytes at all.
    for width, height in ((1, 1), (3, 2), (2, 5)):
        rows = [[(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(width)] for _ in range(height)]
        name = f"hand_ct2_d8_adam7_{width}x{height}.png"
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(encode(width, height, 2, 8, rows, True))
        channels, pix, _ = expected_from_samples(width, height, 2, 8, rows, None, None, None)
        check_hand(path, 2, 8, channels, pix, None)
        cases.append(dict(file=name, width=width, height=height, channels=channels, pixels=pix, samples16=None))
    return cases


def pil_cases(rng):
    cases = []

    def save(name, im, **kw):
        path = os.path.join(OUT, name)
        im.save(path, **kw)
        return path

    def add(name, im, channels, pix, s16=None):
        cases.append(dict(file=name, width=im.size[0], height=im.size[1], channels=channels, pixels=pix, samples16=s16))

    size = (12, 7)
    n = size[0] * size[1]

    im = Image.new("L", size)
    im.putdata([rng.randrange(256) for _ in range(n)])
    save("pil_L8.png", im)
    add("pil_L8.png", im, 1, list(im.getdata()))

    im = Image.new("1", (17, 5))
    im.putdata([rng.choice((0, 255)) for _ in range(85)])
    save("pil_1bit.png", im)
    add("pil_1bit.png", im, 1, list(im.convert("L").getdata()))

    for bits in (2, 4, 8):
        count = 1 << bits if bits < 8 else 97
        im = Image.new("P", size)
        im.putpalette([rng.randrange(256) for _ in range(3 * count)])
        im.putdata([rng.randrange(count) for _ in range(n)])
        name = f"pil_P{bits}.png"
        save(name, im, bits=bits) if bits < 8 else save(name, im)
        add(name, im, 3, list(sum(im.convert("RGB").getdata(), ())))

    im = Image.new("P", size)
    im.putpalette([rng.randrange(256) for _ in range(3 * 40)])
    im.putdata([rng.randrange(40) for _ in range(n)])
    alpha = bytes(rng.randrange(256) for _ in range(25))
    save("pil_P8_alpha.png", im, transparency=alpha)
    reread = Image.open(os.path.join(OUT, "pil_P8_alpha.png"))
    add("pil_P8_alpha.png", im, 4, list(sum(reread.convert("RGBA").getdata(), ())))

    for mode, channels in (("LA", 2), ("RGB", 3), ("RGBA", 4)):
        im = Image.new(mode, size)
        im.putdata([tuple(rng.randrange(256) for _ in range(channels)) for _ in range(n)])
        name = f"pil_{mode}.png"
        save(name, im)
        add(name, im, channels, list(sum(im.getdata(), ())))

    im = Image.new("I;16", size)
    values = [rng.randrange(65536) for _ in range(n)]
    im.putdata(values)
    save("pil_I16.png", im)
    got = list(Image.open(os.path.join(OUT, "pil_I16.png")).getdata())
    assert got == values, "PIL did not round-trip 16-bit grey"
    add("pil_I16.png", im, 1, [(v * 255 + 32767) // 65535 for v in values], values)

    im = Image.new("L", size)
    data = [rng.randrange(256) for _ in range(n)]
    key = data[5]
    im.putdata(data)
    save("pil_L_trns.png", im, transparency=key)
    add("pil_L_trns.png", im, 2, [s for v in data for s in (v, 0 if v == key else 255)])

    im = Image.new("RGB", size)
    data = [tuple(rng.randrange(4) * 85 for _ in range(3)) for _ in range(n)]
    key = data[3]
    im.putdata(data)
    save("pil_RGB_trns.png", im, transparency=key)
    add("pil_RGB_trns.png", im, 4, [s for v in data for s in (*v, 0 if v == key else 255)])
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20240611)
    cases = pil_cases(rng) + hand_cases(rng)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "tests/Striate.Tests/Fixtures/generate_png.py", "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} PNG files and expected.json to {OUT}")


if __name__ == "__main__":
    main()
