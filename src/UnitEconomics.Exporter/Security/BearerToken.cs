using System.Security.Cryptography;
using System.Text;

namespace UnitEconomics.Exporter.Security;

/// <summary>
/// Checks an <c>Authorization: Bearer</c> header against a configured token. Both sides are hashed
/// first, so the comparison is constant-time and also says nothing about the token's length.
/// </summary>
public sealed class BearerToken
{
    private const string Scheme = "Bearer ";
    private readonly byte[]? expectedHash;

    public BearerToken(string? token)
    {
        this.expectedHash = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>No token configured: every request is allowed.</summary>
    public bool IsOpen => this.expectedHash is null;

    public bool Allows(string? authorizationHeader)
    {
        if (this.expectedHash is null)
        {
            return true;
        }

        if (authorizationHeader is null || !authorizationHeader.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = authorizationHeader.AsSpan(Scheme.Length).Trim();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var utf8 = Encoding.UTF8.GetBytes(presented.ToString());
        SHA256.HashData(utf8, hash);
        return CryptographicOperations.FixedTimeEquals(hash, this.expectedHash);
    }
}
