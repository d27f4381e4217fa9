using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using static Traceline.Export.OtlpFieldNumbers;

namespace Traceline.Export;

/// <summary>
/// Attributes (<c>KeyValue</c> with an <c>AnyValue</c>), the bulk of most spans: a fast path for ASCII strings and
/// scalars whose sizes are known before the first byte, and an exact path for everything else.
/// </summary>
internal sealed partial class OtlpProtobufEncoder
{
    private const byte KeyTag = (KeyValue_key << 3) | ProtobufWriter.WireLength;
    private const byte ValueTag = (KeyValue_value << 3) | ProtobufWriter.WireLength;
    private const byte AnyStringTag = (AnyValue_string_value << 3) | ProtobufWriter.WireLength;
    private const byte AnyBoolTag = (AnyValue_bool_value << 3) | ProtobufWriter.WireVarint;
    private const byte AnyIntTag = (AnyValue_int_value << 3) | ProtobufWriter.WireVarint;
    private const byte AnyDoubleTag = (AnyValue_double_value << 3) | ProtobufWriter.WireFixed64;
    private const byte ArrayValuesTag = (ArrayValue_values << 3) | ProtobufWriter.WireLength;

    [MethodImpl(MethodImplOptions.NoInlining)] // Perf: its own registers for the loop; inlined into WriteSpan it spills
    private static void WriteAttributes(ref ProtobufWriter writer, byte tag, ReadOnlySpan<SpanAttribute> attributes)
    {
        // Perf: the loop writes into a local view of the buffer's free space and commits once, so the position lives
        // in a register rather than being stored and reloaded through the writer for every attribute.
        var free = writer.FreeSpan;
        var used = 0;
        for (var i = 0; i < attributes.Length; i++)
        {
            ref readonly var attribute = ref attributes[i];
            var written = TryWriteAsciiAttribute(free[used..], tag, attribute.Key, attribute.Value);
            if (written > 0)
            {
                used += written;
                continue;
            }

            writer.Advance(used);
            used = 0;
            if (written < 0)
            {
                // Out of room: grow, and try the same attribute again (it fits now).
                writer.Ensure(-written);
                free = writer.FreeSpan;
                i--;
                continue;
            }

            WriteAttribute(ref writer, tag, attribute.Key, attribute.Value);
            free = writer.FreeSpan;
        }

        writer.Advance(used);
    }

    /// <summary>
    /// The fast path: a string or scalar value, with the key and a string value taken as ASCII so that every size
    /// is known before the first byte. Returns the bytes written into <paramref name="room"/>; 0 for arrays and for
    /// text that is not ASCII; minus the bytes needed when <paramref name="room"/> is too small.
    /// </summary>
    /// <remarks>Perf: inlined into the attribute loop, so an attribute costs no call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TryWriteAsciiAttribute(Span<byte> room, byte tag, string key, AttributeValue value)
    {
        var text = value.Reference as string;
        var scalar = AttributeValueType.Empty;
        int anySize;
        if (text is not null)
        {
            anySize = 1 + ProtobufWriter.VarintSize((uint)text.Length) + text.Length;
        }
        else
        {
            scalar = value.ScalarType;
            switch (scalar)
            {
                case AttributeValueType.Long:
                    anySize = 1 + ProtobufWriter.VarintSize((ulong)value.Bits);
                    break;
                case AttributeValueType.Bool:
                    anySize = 2;
                    break;
                case AttributeValueType.Double:
                    anySize = 9;
                    break;
                default:
                    return 0;
            }
        }

        var keySize = 1 + ProtobufWriter.VarintSize((uint)key.Length) + key.Length;
        var keyValueSize = keySize + 1 + ProtobufWriter.VarintSize((uint)anySize) + anySize;
        if (keyValueSize >= 0x80)
        {
            return TryWriteLargeAsciiAttribute(room, tag, key, value, text, scalar, anySize, keyValueSize);
        }

        // The usual attribute, under 128 bytes: every length is one byte, so the framing goes in 32-bit stores.
        // Nothing to undo when a string turns out not to be ASCII: the caller commits only what was returned.
        var total = 2 + keyValueSize;
        if (total > room.Length)
        {
            return -total;
        }

        var destination = room[..total];
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(tag | (keyValueSize << 8) | (KeyTag << 16) | (key.Length << 24)));
        if (!ProtobufWriter.TryNarrowAscii(key, destination[4..]))
        {
            return 0;
        }

        var at = 4 + key.Length;
        switch (scalar)
        {
            case AttributeValueType.Long:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)(ValueTag | (anySize << 8) | (AnyIntTag << 16) | ((int)value.Bits & 0x7F) << 24));
                if (anySize > 2)
                {
                    ProtobufWriter.WriteVarint(destination, at + 3, (ulong)value.Bits);
                }

                break;
            case AttributeValueType.Bool:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)(ValueTag | (2 << 8) | (AnyBoolTag << 16) | (value.Bits != 0 ? 1 << 24 : 0)));
                break;
            case AttributeValueType.Double:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], ValueTag | (9 << 8) | (AnyDoubleTag << 16));
                BinaryPrimitives.WriteInt64LittleEndian(destination[(at + 3)..], value.Bits);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)(ValueTag | (anySize << 8) | (AnyStringTag << 16) | (text!.Length << 24)));
                if (!ProtobufWriter.TryNarrowAscii(text, destination[(at + 4)..]))
                {
                    return 0;
                }

                break;
        }

        return total;
    }

    /// <summary>The fast path's sequel for an attribute of 128 bytes or more, where lengths take more than a byte.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // Perf: keeps the common path small
    private static int TryWriteLargeAsciiAttribute(Span<byte> room, byte tag, string key, AttributeValue value, string? text, AttributeValueType scalar, int anySize, int keyValueSize)
    {
        var total = 1 + ProtobufWriter.VarintSize((uint)keyValueSize) + keyValueSize;
        if (total > room.Length)
        {
            return -total;
        }

        var destination = room[..total];
        destination[0] = tag;
        var i = ProtobufWriter.WriteVarint(destination, 1, (uint)keyValueSize);
        destination[i] = KeyTag;
        i = ProtobufWriter.WriteVarint(destination, i + 1, (uint)key.Length);
        if (!ProtobufWriter.TryNarrowAscii(key, destination[i..]))
        {
            return 0;
        }

        i += key.Length;
        destination[i] = ValueTag;
        i = ProtobufWriter.WriteVarint(destination, i + 1, (uint)anySize);
        switch (scalar)
        {
            case AttributeValueType.Long:
                destination[i] = AnyIntTag;
                ProtobufWriter.WriteVarint(destination, i + 1, (ulong)value.Bits);
                break;
            case AttributeValueType.Bool:
                destination[i] = AnyBoolTag;
                destination[i + 1] = value.Bits != 0 ? (byte)1 : (byte)0;
                break;
            case AttributeValueType.Double:
                destination[i] = AnyDoubleTag;
                BinaryPrimitives.WriteInt64LittleEndian(destination[(i + 1)..], value.Bits);
                break;
            default:
                destination[i] = AnyStringTag;
                i = ProtobufWriter.WriteVarint(destination, i + 1, (uint)text!.Length);
                if (!ProtobufWriter.TryNarrowAscii(text, destination[i..]))
                {
                    return 0;
                }

                break;
        }

        return total;
    }

    /// <summary>Any attribute, by its exact UTF-8 sizes; messages patch their lengths.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WriteAttribute(ref ProtobufWriter writer, byte tag, string key, AttributeValue value)
    {
        var keyValueStart = writer.BeginMessage(tag >> 3, SmallLengthReserve);
        writer.WriteString(KeyTag, key);
        var valueStart = writer.BeginMessage(KeyValue_value, SmallLengthReserve);
        switch (value.Type)
        {
            case AttributeValueType.String:
                writer.WriteString(AnyStringTag, value.StringValue!);
                break;
            case AttributeValueType.Bool:
                writer.WriteBytes(AnyBoolTag, value.BoolValue ? (byte)1 : (byte)0);
                break;
            case AttributeValueType.Long:
                writer.WriteVarintField(AnyIntTag, (ulong)value.LongValue);
                break;
            case AttributeValueType.Double:
                writer.WriteFixed64(AnyDoubleTag, (ulong)BitConverter.DoubleToInt64Bits(value.DoubleValue));
                break;
            case AttributeValueType.StringArray:
            case AttributeValueType.BoolArray:
            case AttributeValueType.LongArray:
            case AttributeValueType.DoubleArray:
                WriteArray(ref writer, value);
                break;
        }

        writer.EndMessage(valueStart, SmallLengthReserve);
        writer.EndMessage(keyValueStart, SmallLengthReserve);
    }

    private static void WriteArray(ref ProtobufWriter writer, AttributeValue value)
    {
        var arrayStart = writer.BeginMessage(AnyValue_array_value, SpanLengthReserve);
        switch (value.Type)
        {
            case AttributeValueType.StringArray:
                foreach (var item in value.StringArrayValue)
                {
                    var itemStart = writer.BeginMessage(ArrayValue_values, SmallLengthReserve);
                    if (item is not null)
                    {
                        writer.WriteString(AnyStringTag, item);
                    }

                    writer.EndMessage(itemStart, SmallLengthReserve);
                }

                break;
            case AttributeValueType.BoolArray:
                foreach (var item in value.BoolArrayValue)
                {
                    writer.WriteBytes(ArrayValuesTag, 2);
                    writer.WriteBytes(AnyBoolTag, item ? (byte)1 : (byte)0);
                }

                break;
            case AttributeValueType.LongArray:
                foreach (var item in value.LongArrayValue)
                {
                    writer.WriteBytes(ArrayValuesTag, (byte)(1 + ProtobufWriter.VarintSize((ulong)item)));
                    writer.WriteVarintField(AnyIntTag, (ulong)item);
                }

                break;
            case AttributeValueType.DoubleArray:
                foreach (var item in value.DoubleArrayValue)
                {
                    writer.WriteBytes(ArrayValuesTag, 9);
                    writer.WriteFixed64(AnyDoubleTag, (ulong)BitConverter.DoubleToInt64Bits(item));
                }

                break;
        }

        writer.EndMessage(arrayStart, SpanLengthReserve);
    }
}
