using System.Security.Cryptography;
using System.Text;

namespace Traceline.Export;

/// <summary>
/// Reads a private key encrypted the traditional OpenSSL way (RFC 1421 headers <c>Proc-Type: 4,ENCRYPTED</c> and
/// <c>DEK-Info: cipher,iv</c> inside <c>RSA PRIVATE KEY</c> or <c>EC PRIVATE KEY</c>), which .NET's PEM readers do not
/// take: the key is OpenSSL's <c>EVP_BytesToKey</c> (MD5, one round, the IV's first 8 bytes as salt), the cipher CBC.
/// </summary>
internal static class OtlpLegacyPemKey
{
    /// <summary>Whether <paramref name="pem"/> is a key in this form.</summary>
    public static bool IsLegacyEncrypted(string pem) => pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal);

    /// <summary>Decrypts the key and imports it into <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">No such key block, or one of the other kind than <paramref name="key"/>.</exception>
    /// <exception cref="CryptographicException">An unknown cipher, a damaged block, or the wrong password.</exception>
    public static void Import(AsymmetricAlgorithm key, string pem, string password)
    {
        var (label, cipher, iv, body) = Parse(pem);
        var der = Decrypt(cipher, iv, body, password);
        try
        {
            switch (label, key)
            {
                case ("RSA PRIVATE KEY", RSA rsa):
                    rsa.ImportRSAPrivateKey(der, out _);
                    break;
                case ("EC PRIVATE KEY", ECDsa ecdsa):
                    ecdsa.ImportECPrivateKey(der, out _);
                    break;
                default:
                    throw new ArgumentException("The key is not of the certificate's kind.", nameof(pem));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    private static (string Label, string Cipher, byte[] Iv, byte[] Body) Parse(string pem)
    {
        var lines = pem.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        string? label = null, cipher = null;
        byte[]? iv = null;
        var base64 = new StringBuilder();
        var inHeaders = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (label is null)
            {
                if (line is "-----BEGIN RSA PRIVATE KEY-----" or "-----BEGIN EC PRIVATE KEY-----")
                {
                    label = line[11..^5];
                    inHeaders = true;
                }

                continue;
            }

            if (line.StartsWith("-----END ", StringComparison.Ordinal))
            {
                break;
            }

            if (inHeaders)
            {
                if (line.Length == 0)
                {
                    inHeaders = false;
                }
                else if (line.StartsWith("DEK-Info:", StringComparison.Ordinal))
                {
                    var parts = line["DEK-Info:".Length..].Split(',', StringSplitOptions.TrimEntries);
                    if (parts.Length != 2)
                    {
                        throw new CryptographicException("DEK-Info is malformed.");
                    }

                    cipher = parts[0].ToUpperInvariant();
                    iv = Convert.FromHexString(parts[1]);
                }

                continue;
            }

            base64.Append(line);
        }

        if (label is null)
        {
            throw new ArgumentException("No RSA or EC private key block.", nameof(pem));
        }

        if (cipher is null || iv is null)
        {
            throw new CryptographicException("DEK-Info is missing.");
        }

        try
        {
            return (label, cipher, iv, Convert.FromBase64String(base64.ToString()));
        }
        catch (FormatException)
        {
            throw new CryptographicException("The key block is not base64.");
        }
    }

    private static byte[] Decrypt(string cipher, byte[] iv, byte[] body, string password)
    {
        using SymmetricAlgorithm algorithm = cipher switch
        {
            "AES-128-CBC" or "AES-192-CBC" or "AES-256-CBC" => Aes.Create(),
#pragma warning disable CA5350 // reading a key its owner encrypted with 3DES, as older OpenSSL did by default
            "DES-EDE3-CBC" => TripleDES.Create(),
#pragma warning restore CA5350
            _ => throw new CryptographicException("The cipher of DEK-Info is not one of AES-128/192/256-CBC or DES-EDE3-CBC."),
        };
        var keySize = cipher switch
        {
            "AES-128-CBC" => 16,
            "AES-192-CBC" or "DES-EDE3-CBC" => 24,
            _ => 32,
        };
        if (iv.Length != algorithm.BlockSize / 8)
        {
            throw new CryptographicException("The IV of DEK-Info has the wrong length.");
        }

        var secret = DeriveKey(Encoding.UTF8.GetBytes(password), iv.AsSpan(0, 8), keySize);
        try
        {
            algorithm.Key = secret;
            return algorithm.DecryptCbc(body, iv, PaddingMode.PKCS7);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>OpenSSL's EVP_BytesToKey with MD5 and one round: D1 = MD5(password || salt), Di = MD5(Di-1 || password || salt).</summary>
    private static byte[] DeriveKey(byte[] password, ReadOnlySpan<byte> salt, int size)
    {
        var key = new byte[size];
        var input = new byte[16 + password.Length + salt.Length];
        Span<byte> digest = stackalloc byte[16];
        var written = 0;
        var previous = 0;
        while (written < size)
        {
            digest[..previous].CopyTo(input);
            password.CopyTo(input.AsSpan(previous));
            salt.CopyTo(input.AsSpan(previous + password.Length));
#pragma warning disable CA5351 // MD5 is this format's key derivation; nothing here relies on MD5 being strong
            MD5.HashData(input.AsSpan(0, previous + password.Length + salt.Length), digest);
#pragma warning restore CA5351
            var take = Math.Min(16, size - written);
            digest[..take].CopyTo(key.AsSpan(written));
            written += take;
            previous = 16;
        }

        CryptographicOperations.ZeroMemory(input);
        return key;
    }
}
