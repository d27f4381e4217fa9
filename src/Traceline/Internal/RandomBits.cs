using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Traceline;

/// <summary>
/// A per-thread xoshiro256** generator: fast, lock-free and thread-safe by construction.
/// Ids must be unpredictable enough to be unique, not secret, so a CSPRNG only seeds it.
/// </summary>
internal static class RandomBits
{
    [ThreadStatic]
    private static State? t_state;

    /// <summary>Returns 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Next64() => (t_state ??= State.Create()).Next();

    private sealed class State
    {
        private ulong _s0, _s1, _s2, _s3;

        public static State Create()
        {
            Span<ulong> seed = stackalloc ulong[4];
            do
            {
                RandomNumberGenerator.Fill(System.Runtime.InteropServices.MemoryMarshal.AsBytes(seed));
            }
            while ((seed[0] | seed[1] | seed[2] | seed[3]) == 0);

            return new State { _s0 = seed[0], _s1 = seed[1], _s2 = seed[2], _s3 = seed[3] };
        }

        public ulong Next()
        {
            ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
            var result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
            var t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = BitOperations.RotateLeft(s3, 45);
            _s0 = s0;
            _s1 = s1;
            _s2 = s2;
            _s3 = s3;
            return result;
        }
    }
}
