using System.Buffers.Binary;

namespace Traceline.Export;

/// <summary>
/// Reads protobuf's wire format from a receiver's reply (a partial success, a <c>google.rpc.Status</c>). Every read is
/// bounds-checked and returns <see langword="false"/> on malformed input: a hostile reply cannot throw.
/// </summary>
internal ref struct ProtobufReader
{
    private ReadOnlySpan<byte> _data;

    public ProtobufReader(ReadOnlySpan<byte> data) => _data = data;

    public readonly bool End => _data.IsEmpty;

    public bool TryReadTag(out int field, out int wireType)
    {
        field = 0;
        wireType = 0;
        if (!TryReadVarint(out var tag) || tag > int.MaxValue)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return field > 0;
    }

    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        for (var i = 0; i < 10 && i < _data.Length; i++)
        {
            var b = _data[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                _data = _data[(i + 1)..];
                return true;
            }
        }

        return false;
    }

    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> content)
    {
        content = default;
        if (!TryReadVarint(out var length) || length > (ulong)_data.Length)
        {
            return false;
        }

        content = _data[..(int)length];
        _data = _data[(int)length..];
        return true;
    }

    /// <summary>Skips a field's value of the given wire type.</summary>
    public bool TrySkip(int wireType)
    {
        switch (wireType)
        {
            case ProtobufWriter.WireVarint:
                return TryReadVarint(out _);
            case ProtobufWriter.WireFixed64:
                return TryAdvance(8);
            case ProtobufWriter.WireLength:
                return TryReadLengthDelimited(out _);
            case ProtobufWriter.WireFixed32:
                return TryAdvance(4);
            default:
                return false; // groups (3, 4) are not used by these messages
        }
    }

    public bool TryReadFixed64(out ulong value)
    {
        value = 0;
        if (_data.Length < 8)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_data);
        _data = _data[8..];
        return true;
    }

    private bool TryAdvance(int count)
    {
        if (_data.Length < count)
        {
            return false;
        }

        _data = _data[count..];
        return true;
    }
}
