using System.Globalization;
using System.Net;
using UnitEconomics.Cli.Commands;

namespace UnitEconomics.Cli.Serving;

/// <summary>
/// Where <c>demo --serve</c> listens: an address and a port. Loopback by default; <c>0.0.0.0</c> (or <c>*</c>)
/// listens on every interface, which a Prometheus in a container needs to reach the host.
/// </summary>
public sealed record ListenAddress(string Host, int Port)
{
    public const int DefaultPort = 9465;

    /// <summary>The host as HttpListener's prefix wants it: <c>*</c> for every interface.</summary>
    public string PrefixHost => this.Host is "0.0.0.0" or "*" or "::" or "[::]" ? "*" : this.Host;

    /// <summary>The host to print in a URL a user can open.</summary>
    public string DisplayHost => this.PrefixHost == "*" ? "127.0.0.1" : this.Host;

    /// <summary><paramref name="listen"/> (ADDRESS:PORT) when given, else 127.0.0.1 and <paramref name="port"/> (or the default port).</summary>
    public static ListenAddress Parse(string? listen, int? port)
    {
        if (listen is null)
        {
            return new("127.0.0.1", port ?? DefaultPort);
        }

        if (port is not null)
        {
            throw new UsageException("give --listen ADDRESS:PORT or --port, not both");
        }

        var colon = listen.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535
            || !IsHost(listen[..colon]))
        {
            throw new UsageException($"--listen takes ADDRESS:PORT such as 127.0.0.1:9465 or 0.0.0.0:9465, not '{listen}'");
        }

        return new(listen[..colon], p);
    }

    private static bool IsHost(string host) =>
        host is "*" or "localhost" || IPAddress.TryParse(host.Trim('[', ']'), out _);
}
