using System.Diagnostics.CodeAnalysis;

namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// A part of the tenant file that the engine carries without interpreting it (the <c>revenue</c>
/// section: settings of a billing source that a host, not the engine, reads). A read-only view of the
/// parsed YAML/JSON that keeps each value's line, so the host's errors point at the file like the
/// engine's own do (<see cref="Error"/>).
/// </summary>
public sealed class TenantFileSection
{
    private readonly DocNode node;

    internal TenantFileSection(string sourceName, string path, DocNode node)
    {
        this.SourceName = sourceName;
        this.Path = path;
        this.node = node;
    }

    /// <summary>The file the section was read from.</summary>
    public string SourceName { get; }

    /// <summary>Where the section sits in the file, dotted (<c>revenue.stripe.refresh</c>).</summary>
    public string Path { get; }

    /// <summary>1-based line of the value; 0 when not known.</summary>
    public int Line => this.node.Line;

    /// <summary>The scalar's text; null for a mapping, a list, or an empty value.</summary>
    public string? Text => this.node is DocScalar s ? s.Text : null;

    public bool IsMapping => this.node is DocMap;

    public bool IsList => this.node is DocList;

    /// <summary>True for an empty value (<c>key:</c> with nothing after it) or JSON null.</summary>
    public bool IsNull => this.node is DocScalar { IsNull: true };

    /// <summary>"a mapping", "a list", "a scalar" or "nothing", for error messages.</summary>
    public string KindName => this.node.KindName;

    /// <summary>A mapping's entries in file order (duplicates kept, so a reader can refuse them); empty otherwise.</summary>
    public IReadOnlyList<KeyValuePair<string, TenantFileSection>> Entries =>
        this.node is DocMap map
            ? [.. map.Entries.Select(e => new KeyValuePair<string, TenantFileSection>(e.Key, new TenantFileSection(this.SourceName, this.Path + "." + e.Key, e.Value)))]
            : [];

    /// <summary>A list's items in order; empty otherwise.</summary>
    public IReadOnlyList<TenantFileSection> Items =>
        this.node is DocList list
            ? [.. list.Items.Select((item, i) => new TenantFileSection(this.SourceName, $"{this.Path}[{i}]", item))]
            : [];

    /// <summary>The first entry named <paramref name="key"/> of a mapping.</summary>
    public bool TryGet(string key, [NotNullWhen(true)] out TenantFileSection? value)
    {
        foreach (var entry in this.Entries)
        {
            if (entry.Key == key)
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>An error about this value, worded like the engine's: <c>file:line: field 'revenue.stripe.refresh': problem</c>.</summary>
    public TenantDirectoryException Error(string problem) => new(this.SourceName, this.Line, null, this.Path, problem);
}
