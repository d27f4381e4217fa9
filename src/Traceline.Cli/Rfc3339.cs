namespace Traceline.Cli;

/// <summary>RFC 3339 date-times to unix nanoseconds: <c>2026-12-07T07:01:55.123456789Z</c> or with an offset (Go prints local time).</summary>
internal static class Rfc3339
{
    public static bool TryParseUnixNanos(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] | 0x20) != 't' || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute) || !Digits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (text[i] == '.')
        {
            i++;
            var digits = 0;
            while (i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9')
            {
                if (digits < 9)
                {
                    fraction = (fraction * 10) + (text[i] - '0');
                    digits++;
                }

                i++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (; digits < 9; digits++)
            {
                fraction *= 10;
            }
        }

        if (i >= text.Length)
        {
            return false;
        }

        var offsetMinutes = 0;
        if ((text[i] | 0x20) == 'z' && i == text.Length - 1)
        {
        }
        else if (text[i] is (byte)'+' or (byte)'-' && text.Length - i == 6 && text[i + 3] == ':'
            && Digits(text.Slice(i + 1, 2), out var offsetHours) && Digits(text.Slice(i + 4, 2), out var offsetMins))
        {
            offsetMinutes = ((offsetHours * 60) + offsetMins) * (text[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        var seconds = (ticks / TimeSpan.TicksPerSecond) - (offsetMinutes * 60L);
        if (seconds is < -9_000_000_000 or > 9_000_000_000)
        {
            return false; // outside what unix nanoseconds in a long can hold
        }

        unixNanos = (seconds * 1_000_000_000) + fraction;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
