using System.Buffers.Binary;
using System.Text;

namespace Traceline.Export;

/// <summary>
/// Writes protobuf's wire format into a buffer whose size the caller already computed (see
/// <see cref="OtlpProtobufEncoder"/>): tags, varints, fixed-width numbers and length-delimited fields.
/// </summary>
internal ref struct ProtobufWriter
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLength = 2;
    public const int WireFixed32 = 5;

    private readonly Span<byte> _buffer;
    private int _position;

    public ProtobufWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public static int VarintSize(ulong value) => value < 0x80 ? 1 : (63 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 7;

    public static int TagSize(int field) => field < 16 ? 1 : 2;

    /// <summary>The size of a length-delimited field with <paramref name="length"/> bytes of content.</summary>
    public static int LengthFieldSize(int field, int length) => TagSize(field) + VarintSize((uint)length) + length;

    public void WriteTag(int field, int wireType) => WriteVarint((uint)((field << 3) | wireType));

    public void WriteVarint(ulong value)
    {
        var buffer = _buffer;
        var position = _position;
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[position++] = (byte)value;
        _position = position;
    }

    public void WriteLengthPrefix(int field, int length)
    {
        WriteTag(field, WireLength);
        WriteVarint((uint)length);
    }

    public void WriteFixed64(int field, ulong value)
    {
        WriteTag(field, WireFixed64);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteFixed32(int field, uint value)
    {
        WriteTag(field, WireFixed32);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteVarintField(int field, ulong value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(value);
    }

    /// <summary>Writes a string field whose UTF-8 length the size pass measured.</summary>
    public void WriteString(int field, string value, int utf8Length)
    {
        WriteLengthPrefix(field, utf8Length);
        var destination = _buffer.Slice(_position, utf8Length);
        if (utf8Length == value.Length)
        {
            // Perf: same length means ASCII (the size pass checked); narrowing is cheaper than a UTF-8 encoder call.
            Ascii.FromUtf16(value, destination, out _);
        }
        else
        {
            Encoding.UTF8.GetBytes(value, destination);
        }

        _position += utf8Length;
    }

    /// <summary>Writes 8 bytes, big-endian (a span id as OTLP carries it).</summary>
    public void WriteSpanId(int field, SpanId id)
    {
        WriteLengthPrefix(field, SpanId.ByteLength);
        id.CopyTo(_buffer.Slice(_position, SpanId.ByteLength));
        _position += SpanId.ByteLength;
    }

    /// <summary>Writes 16 bytes, big-endian (a trace id as OTLP carries it).</summary>
    public void WriteTraceId(int field, TraceId id)
    {
        WriteLengthPrefix(field, TraceId.ByteLength);
        id.CopyTo(_buffer.Slice(_position, TraceId.ByteLength));
        _position += TraceId.ByteLength;
    }
}
