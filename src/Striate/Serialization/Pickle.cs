// A restricted reader of Python's pickle format (protocols 2 to 5), enough for the data.pkl of a
// torch.save checkpoint and nothing more. A pickle is a program for a small stack machine; the
// standard unpickler runs it, and its GLOBAL + REDUCE opcodes call any importable Python function
// (os.system, eval, ...) — which is why loading an untrusted .pt file with Python is code execution.
// This reader executes nothing: it builds plain values (strings, integers, floats, tuples, lists,
// dicts) and, for GLOBAL, looks the name up in a table the caller passes in. A name outside the
// table stops the load at the GLOBAL opcode, before anything could be called, with an error that
// names it. Only names with a handler can be "called" by REDUCE, and the handler is C# code that
// builds a value (a tensor description, an ordered dict). Opcodes outside the supported set (the
// text-mode protocol-0 ones, INST/OBJ/NEWOBJ, extension registry, out-of-band buffers) are refused.
//
// Every length is checked against the bytes that remain before anything is allocated, memo lookups
// and stack pops are checked, and each opcode consumes at least one byte, so malformed input ends in
// an InvalidDataException naming the source and byte offset, never a hang or a giant allocation.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Striate.Serialization;

/// <summary>A Python global (module and name) that a pickle referenced and the caller allowed.</summary>
/// <param name="Module">The module, e.g. <c>torch._utils</c>.</param>
/// <param name="Name">The attribute, e.g. <c>_rebuild_tensor_v2</c>.</param>
/// <param name="Call">What calling it builds from its positional arguments; null when it may only be referenced (a storage type).</param>
internal sealed record PickleGlobal(string Module, string Name, Func<PickleTuple, object?>? Call)
{
    public string FullName => Module + "." + Name;
}

/// <summary>A Python tuple.</summary>
internal sealed record PickleTuple(object?[] Items)
{
    public int Count => Items.Length;

    public object? this[int index] => Items[index];
}

/// <summary>A Python dict (or OrderedDict), in insertion order; <see cref="State"/> holds what BUILD set on it (e.g. a state dict's <c>_metadata</c>).</summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _items = [];
    private readonly Dictionary<string, int> _stringKeys = new(StringComparer.Ordinal);

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    public object? State { get; set; }

    /// <summary>Python's d[key] = value: a repeated (string) key replaces the value in place.</summary>
    public void Set(object? key, object? value)
    {
        if (key is string s)
        {
            if (_stringKeys.TryGetValue(s, out int at))
            {
                _items[at] = new(key, value);
                return;
            }
            _stringKeys[s] = _items.Count;
        }
        _items.Add(new(key, value));
    }
}

/// <summary>Runs a pickle program without executing any Python: see the file header.</summary>
internal sealed class Pickle
{
    /// <summary>The deepest MARK nesting accepted (a state dict needs 3).</summary>
    public const int MaxMarkDepth = 64;

    private readonly byte[] _data;
    private readonly string _source;
    private readonly Func<string, string, PickleGlobal?> _resolveGlobal;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _at;
    private int _opcodeAt;

    private Pickle(byte[] data, string source, Func<string, string, PickleGlobal?> resolveGlobal, Func<object?, object?> persistentLoad)
    {
        _data = data;
        _source = source;
        _resolveGlobal = resolveGlobal;
        _persistentLoad = persistentLoad;
    }

    /// <summary>
    /// Runs the pickle in <paramref name="data"/> and returns the value it builds.
    /// </summary>
    /// <param name="data">The pickle bytes.</param>
    /// <param name="source">Names the pickle in errors (file and record).</param>
    /// <param name="resolveGlobal">Maps (module, name) to an allowed global, or null to refuse it.</param>
    /// <param name="persistentLoad">Resolves a BINPERSID reference (torch: a storage record).</param>
    /// <exception cref="InvalidDataException">
    /// The pickle references a global that is not allowed (the message names it and says nothing
    /// was executed), uses an unsupported opcode, is truncated, or is malformed (stack underflow,
    /// missing mark, unknown memo key, a call with bad arguments); the message gives the byte offset.
    /// </exception>
    public static object? Load(byte[] data, string source, Func<string, string, PickleGlobal?> resolveGlobal, Func<object?, object?> persistentLoad)
        => new Pickle(data, source, resolveGlobal, persistentLoad).Run();

    private object? Run()
    {
        while (true)
        {
            _opcodeAt = _at;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: // PROTO
                    int protocol = ReadByte();
                    if (protocol > 5) throw Error($"unsupported pickle protocol {protocol} (this reader knows 2 to 5)");
                    break;
                case 0x95: // FRAME: a length hint for buffered reading; the data is already in memory.
                    ulong frame = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
                    if (frame > (ulong)(_data.Length - _at)) throw Error($"truncated: a frame of {frame} bytes but {_data.Length - _at} remain");
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count == 0) throw Error("STOP with an empty stack");
                    return _stack[^1];
                case (byte)'(': // MARK
                    if (_marks.Count >= MaxMarkDepth) throw Error($"marks nested deeper than {MaxMarkDepth}");
                    _marks.Add(_stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)')': Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case (byte)'t': Push(new PickleTuple([.. PopMark()])); break; // TUPLE
                case 0x85: Push(new PickleTuple([Pop()])); break; // TUPLE1
                case 0x86: // TUPLE2
                {
                    var b = Pop();
                    Push(new PickleTuple([Pop(), b]));
                    break;
                }
                case 0x87: // TUPLE3
                {
                    var c = Pop();
                    var b = Pop();
                    Push(new PickleTuple([Pop(), b, c]));
                    break;
                }
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'d': // DICT
                {
                    var items = PopMark();
                    Push(SetItems(new PickleDict(), items));
                    break;
                }
                case (byte)'a': // APPEND
                {
                    var value = Pop();
                    PeekAs<List<object?>>("APPEND").Add(value);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var values = PopMark();
                    PeekAs<List<object?>>("APPENDS").AddRange(values);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    PeekAs<PickleDict>("SETITEM").Set(key, value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    SetItems(PeekAs<PickleDict>("SETITEMS"), items);
                    break;
                }
                case (byte)'X': Push(ReadUtf8(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadByte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))); break; // BINUNICODE8
                case (byte)'B': Push(Take(CheckedLength(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break; // BINBYTES
                case (byte)'C': Push(Take(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(Take(CheckedLength(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break; // BINBYTES8
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: // LONG4
                {
                    int n = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                    if (n < 0) throw Error("LONG4 with a negative length");
                    Push(ReadLong(n));
                    break;
                }
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'c': // GLOBAL "module\nname\n"
                {
                    string module = ReadLine();
                    string name = ReadLine();
                    Push(Resolve(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw Error("STACK_GLOBAL needs two strings");
                    Push(Resolve(m, n));
                    break;
                }
                case (byte)'R': // REDUCE: callable(*args)
                {
                    var args = Pop();
                    var callable = Pop();
                    if (callable is not PickleGlobal g) throw Error($"REDUCE needs a global to call, got {Describe(callable)}");
                    if (args is not PickleTuple tuple) throw Error($"REDUCE of {g.FullName} needs an argument tuple, got {Describe(args)}");
                    if (g.Call is null) throw Error($"{g.FullName} may be referenced but not called");
                    try
                    {
                        Push(g.Call(tuple));
                    }
                    catch (InvalidDataException ex)
                    {
                        throw new InvalidDataException($"{Where()}{g.FullName}: {ex.Message}", ex);
                    }
                    break;
                }
                case (byte)'b': // BUILD: obj.__setstate__(state)
                {
                    var state = Pop();
                    PeekAs<PickleDict>("BUILD").State = state;
                    break;
                }
                case (byte)'Q': // BINPERSID
                {
                    var id = Pop();
                    try
                    {
                        Push(_persistentLoad(id));
                    }
                    catch (InvalidDataException ex)
                    {
                        throw new InvalidDataException($"{Where()}persistent id: {ex.Message}", ex);
                    }
                    break;
                }
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break; // LONG_BINPUT
                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                default:
                    throw Error($"unsupported pickle opcode 0x{op:X2}{(op is >= 0x20 and < 0x7F ? $" ('{(char)op}')" : "")}: only the opcodes torch.save uses for tensors and plain containers are accepted");
            }
        }
    }

    private PickleGlobal Resolve(string module, string name)
        => _resolveGlobal(module, name)
           ?? throw new InvalidDataException($"{Where()}refusing to load: the pickle references {module}.{name}; only tensor data is allowed (nothing was executed).");

    private PickleDict SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
        return dict;
    }

    private object ReadLong(int n)
    {
        if (n > 8) throw Error($"an integer of {n} bytes does not fit in 64 bits");
        var bytes = Take(n);
        if (n == 0) return 0L;
        long value = (sbyte)bytes[n - 1]; // two's complement, little-endian: the top byte carries the sign
        for (int i = n - 2; i >= 0; i--) value = (value << 8) | bytes[i];
        return value;
    }

    private string ReadUtf8(ulong length)
    {
        var bytes = Take(CheckedLength(length));
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException($"{Where()}a string is not valid UTF-8.", ex);
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _at);
        if (end < 0 || end - _at > 1024) throw Error("truncated or overlong GLOBAL name");
        string line = Encoding.ASCII.GetString(_data, _at, end - _at);
        _at = end + 1;
        return line;
    }

    private int CheckedLength(ulong length)
    {
        if (length > (ulong)(_data.Length - _at)) throw Error($"truncated: a {length}-byte value but {_data.Length - _at} bytes remain");
        return (int)length;
    }

    private byte ReadByte()
    {
        if (_at >= _data.Length) throw Error("truncated: the pickle ends without STOP");
        return _data[_at++];
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _at) throw Error($"truncated: {n} bytes needed but {_data.Length - _at} remain");
        var span = _data.AsSpan(_at, n);
        _at += n;
        return span;
    }

    private object? MemoGet(long key) => _memo.TryGetValue(key, out var value) ? value : throw Error($"memo key {key} was never stored");

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw Error("stack underflow");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        // As in CPython, MARK starts a fresh stack: what lies below the last mark is out of reach.
        if (_stack.Count <= (_marks.Count > 0 ? _marks[^1] : 0)) throw Error("stack underflow");
        return _stack[^1];
    }

    private T PeekAs<T>(string opcode) where T : class
        => Peek() as T ?? throw Error($"{opcode} on {Describe(Peek())}");

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Error("no MARK to pop to");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    /// <summary>A short description of a value's kind with its article, for messages ("an integer", "a dict of 3"; never its contents, which may be cyclic).</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a string",
        long => "an integer",
        double => "a float",
        bool => "a bool",
        byte[] => "bytes",
        PickleTuple t => $"a tuple of {t.Count}",
        List<object?> l => $"a list of {l.Count}",
        PickleDict d => $"a dict of {d.Items.Count}",
        PickleGlobal g => g.FullName,
        _ => "a " + value.GetType().Name,
    };

    private string Where() => string.Create(CultureInfo.InvariantCulture, $"Invalid pickle '{_source}' at byte {_opcodeAt}: ");

    private InvalidDataException Error(string problem) => new(Where() + problem + ".");
}
