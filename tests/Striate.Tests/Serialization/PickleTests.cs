// Pickle: the restricted unpickler on hand-assembled programs (opcode by opcode, with the byte
// values from CPython's pickletools), refusals that name the global or opcode, and malformed input.
using System.Buffers.Binary;
using System.Text;
using Striate.Serialization;

namespace Striate.Tests.Serialization;

public class PickleTests
{
    private static readonly PickleGlobal Pair = new("test", "pair", args => $"{args[0]}+{args[1]}");
    private static readonly PickleGlobal Inert = new("test", "Inert", Call: null);

    private static PickleGlobal? Resolve(string module, string name) => (module, name) switch
    {
        ("test", "pair") => Pair,
        ("test", "Inert") => Inert,
        _ => null,
    };

    private static object? Load(byte[] data, Func<object?, object?>? persistentLoad = null)
        => Pickle.Load(data, "test.pkl", Resolve, persistentLoad ?? (id => $"persisted {Pickle.Describe(id)}"));

    private static byte[] P(params object[] parts)
    {
        var bytes = new List<byte> { 0x80, 2 };
        foreach (var part in parts)
            bytes.AddRange(part switch
            {
                byte b => [b],
                char c => [(byte)c],
                int i => [(byte)i],
                string s => Encoding.UTF8.GetBytes(s),
                byte[] a => a,
                _ => throw new ArgumentException(part.GetType().Name),
            });
        return [.. bytes];
    }

    private static byte[] BinUnicode(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        var bytes = new byte[5 + utf8.Length];
        bytes[0] = (byte)'X';
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(1), (uint)utf8.Length);
        utf8.CopyTo(bytes, 5);
        return bytes;
    }

    [Fact]
    public void Scalars_EveryEncoding()
    {
        Assert.Equal(255L, Load(P('K', 255, '.')));
        Assert.Equal(65535L, Load(P('M', 0xFF, 0xFF, '.')));
        Assert.Equal(-2L, Load(P('J', 0xFE, 0xFF, 0xFF, 0xFF, '.')));
        Assert.Equal(-129L, Load(P(0x8a, 2, 0x7F, 0xFF, '.'))); // LONG1, two's complement little-endian
        Assert.Equal(1L << 40, Load(P(0x8a, 6, 0, 0, 0, 0, 0, 1, '.')));
        Assert.Equal(0L, Load(P(0x8a, 0, '.')));
        Assert.Equal(long.MinValue, Load(P(0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, '.'))); // LONG4
        Assert.Equal(0.125, Load(P('G', new byte[] { 0x3F, 0xC0, 0, 0, 0, 0, 0, 0 }, '.'))); // big-endian double
        Assert.Equal(true, Load(P(0x88, '.')));
        Assert.Equal(false, Load(P(0x89, '.')));
        Assert.Null(Load(P('N', '.')));
        Assert.Equal("größe", Load(P(BinUnicode("größe"), '.')));
        Assert.Equal("ab", Load(P(0x8c, 2, "ab", '.')));
        Assert.Equal("cd", Load(P(0x8d, 2, 0, 0, 0, 0, 0, 0, 0, "cd", '.')));
        Assert.Equal(new byte[] { 1, 2 }, Load(P('C', 2, 1, 2, '.')));
        Assert.Equal(new byte[] { 3 }, Load(P('B', 1, 0, 0, 0, 3, '.')));
        Assert.Equal(new byte[] { 4 }, Load(P(0x8e, 1, 0, 0, 0, 0, 0, 0, 0, 4, '.')));
    }

    [Fact]
    public void Containers_TuplesListsDicts()
    {
        var tuple = Assert.IsType<PickleTuple>(Load(P('(', 'K', 1, 'K', 2, 'K', 3, 'K', 4, 't', '.')));
        Assert.Equal([1L, 2L, 3L, 4L], tuple.Items);
        Assert.Equal([1L], Assert.IsType<PickleTuple>(Load(P('K', 1, 0x85, '.'))).Items);
        Assert.Equal([1L, 2L], Assert.IsType<PickleTuple>(Load(P('K', 1, 'K', 2, 0x86, '.'))).Items);
        Assert.Equal([1L, 2L, 3L], Assert.IsType<PickleTuple>(Load(P('K', 1, 'K', 2, 'K', 3, 0x87, '.'))).Items);
        Assert.Empty(Assert.IsType<PickleTuple>(Load(P(')', '.'))).Items);

        Assert.Equal([5L, 6L, 7L], Assert.IsType<List<object?>>(Load(P(']', 'K', 5, 'a', '(', 'K', 6, 'K', 7, 'e', '.'))));
        Assert.Equal([8L], Assert.IsType<List<object?>>(Load(P('(', 'K', 8, 'l', '.'))));

        var dict = Assert.IsType<PickleDict>(Load(P('}', BinUnicode("a"), 'K', 1, 's', '(', BinUnicode("b"), 'K', 2, BinUnicode("a"), 'K', 3, 'u', '.')));
        Assert.Equal([new KeyValuePair<object?, object?>("a", 3L), new("b", 2L)], dict.Items); // a repeated key replaces in place
        var marked = Assert.IsType<PickleDict>(Load(P('(', BinUnicode("k"), 'N', 'd', '.')));
        Assert.Equal([new KeyValuePair<object?, object?>("k", null)], marked.Items);
    }

    [Fact]
    public void Memo_PutGetMemoize_ShareTheSameObject()
    {
        // ] q0 h0 a .  : a list appended to itself (cyclic) must not hang or overflow anything.
        var list = Assert.IsType<List<object?>>(Load(P(']', 'q', 0, 'h', 0, 'a', '.')));
        Assert.Same(list, list[0]);
        Assert.Equal("a list of 1", Pickle.Describe(list));

        var pair = Assert.IsType<PickleTuple>(Load(P(BinUnicode("x"), 'r', 7, 0, 0, 0, 'j', 7, 0, 0, 0, 0x86, '.')));
        Assert.Same(pair[0], pair[1]);
        var memoized = Assert.IsType<PickleTuple>(Load(P(0x8c, 1, "y", 0x94, 'h', 0, 0x86, '.')));
        Assert.Equal(["y", "y"], memoized.Items);
    }

    [Fact]
    public void StackOps_PopPopMarkDup()
    {
        Assert.Equal(1L, Load(P('K', 1, 'K', 2, '0', '.')));
        Assert.Equal(1L, Load(P('K', 1, '(', 'K', 2, 'K', 3, '1', '.')));
        Assert.Equal([4L, 4L], Assert.IsType<PickleTuple>(Load(P('K', 4, '2', 0x86, '.'))).Items);
    }

    [Fact]
    public void Protocol4_FrameAndStackGlobal()
    {
        var body = P(0x8c, 4, "test", 0x8c, 4, "pair", 0x93, 'K', 1, 'K', 2, 0x86, 'R', '.')[2..];
        var frame = new byte[9];
        frame[0] = 0x95;
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(1), (ulong)body.Length);

        Assert.Equal("1+2", Pickle.Load([0x80, 4, .. frame, .. body], "p4", Resolve, _ => null));
    }

    [Fact]
    public void Reduce_AllowedGlobal_CallsOnlyTheHandler()
    {
        Assert.Equal("a+3", Load(P('c', "test\npair\n", BinUnicode("a"), 'K', 3, 0x86, 'R', '.')));
        Assert.Same(Inert, Load(P('c', "test\nInert\n", '.')));
    }

    [Fact]
    public void PersistentId_GoesThroughTheCallback()
    {
        Assert.Equal("persisted a tuple of 2", Load(P('K', 1, 'K', 2, 0x86, 'Q', '.')));
        var ex = Assert.Throws<InvalidDataException>(() => Load(P('N', 'Q', '.'), _ => throw new InvalidDataException("no such storage")));
        Assert.Contains("persistent id: no such storage", ex.Message);
    }

    [Fact]
    public void Build_SetsTheDictsState()
    {
        var dict = Assert.IsType<PickleDict>(Load(P('}', '}', BinUnicode("_metadata"), 'N', 's', 'b', '.')));

        Assert.Equal("a dict of 1", Pickle.Describe(dict.State));
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    public void Global_NotAllowed_RefusedAtTheGlobalOpcode(string module, string name)
    {
        // Followed by a call that would run it: the refusal must come first, at byte 2.
        var data = P('c', $"{module}\n{name}\n", BinUnicode("touch /tmp/x"), 0x85, 'R', '.');

        var ex = Assert.Throws<InvalidDataException>(() => Load(data));

        Assert.Equal($"Invalid pickle 'test.pkl' at byte 2: refusing to load: the pickle references {module}.{name}; only tensor data is allowed (nothing was executed).", ex.Message);
        Assert.Contains($"references {module}.{name}", Assert.Throws<InvalidDataException>(() =>
            Load(P(0x8c, (byte)module.Length, module, 0x8c, (byte)name.Length, name, 0x93, '.'))).Message);
    }

    public static TheoryData<byte[], string> Malformed() => new()
    {
        { P('c', "test\nInert\n", ')', 'R', '.'), "test.Inert may be referenced but not called" },
        { P('K', 1, ')', 'R', '.'), "REDUCE needs a global to call, got an integer" },
        { P('c', "test\npair\n", 'K', 1, 'R', '.'), "REDUCE of test.pair needs an argument tuple, got an integer" },
        { P('i', "os\nsystem\n", '.'), "unsupported pickle opcode 0x69 ('i')" },
        { P(0x81, '.'), "unsupported pickle opcode 0x81" },
        { P('S', "'abc'\n", '.'), "unsupported pickle opcode 0x53 ('S')" },
        { P(0x82, 1, '.'), "unsupported pickle opcode 0x82" },
        { [0x80, 6, (byte)'.'], "unsupported pickle protocol 6" },
        { P('0', '.'), "stack underflow" },
        { P('K', 1, '(', 'a', '.'), "stack underflow" },
        { P('t', '.'), "no MARK to pop to" },
        { P('h', 3, '.'), "memo key 3 was never stored" },
        { P('(', 'K', 1, 'd', '.'), "SETITEMS with an odd number of items" },
        { P('K', 1, 'K', 2, 's', '.'), "stack underflow" },
        { P(']', 'K', 1, 'K', 2, 's', '.'), "SETITEM on a list of 0" },
        { P('K', 1, 'b', '.'), "stack underflow" },
        { P('.'), "STOP with an empty stack" },
        { P('K', 1), "the pickle ends without STOP" },
        { P('X', 0xFF, 0xFF, 0xFF, 0x7F, "abc", '.'), "truncated: a 2147483647-byte value but 4 bytes remain" },
        { P(0x8d, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, '.'), "truncated: a 18446744073709551615-byte value" },
        { P(0x95, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, '.'), "truncated: a frame of 65535 bytes" },
        { P(0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, '.'), "an integer of 9 bytes does not fit in 64 bits" },
        { P(0x8b, 0xFF, 0xFF, 0xFF, 0xFF, '.'), "LONG4 with a negative length" },
        { P('X', 2, 0, 0, 0, 0xC3, 0x28, '.'), "not valid UTF-8" },
        { P('c', "test", '.'), "truncated or overlong GLOBAL name" },
        { P(0x93, '.'), "stack underflow" },
        { P('K', 1, 'K', 2, 0x93, '.'), "STACK_GLOBAL needs two strings" },
        { P(Enumerable.Repeat((byte)'(', 65).ToArray(), '.'), "marks nested deeper than 64" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_ThrowsNamingSourceOffsetAndProblem(byte[] data, string problem)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Load(data));

        Assert.StartsWith("Invalid pickle 'test.pkl' at byte ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void EveryTruncationOfARealPickle_Throws()
    {
        var data = P('c', "test\npair\n", 'q', 0, '(', BinUnicode("w"), 'G', new byte[8], 't', 'R', '}', 'K', 1, 'N', 's', 0x86, '.');
        Assert.Equal(2, Assert.IsType<PickleTuple>(Load(data)).Count);

        for (int length = 0; length < data.Length; length++)
            Assert.Throws<InvalidDataException>(() => Load(data[..length]));
    }

    [Fact]
    public void HugeClaimedLength_ThrowsWithoutAllocating()
    {
        var data = P('X', 0xF0, 0xFF, 0xFF, 0x7F, "x", '.');

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => Load(data));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }
}
