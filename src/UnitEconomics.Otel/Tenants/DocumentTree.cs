namespace UnitEconomics.Otel.Tenants;

// A format-neutral view of a parsed YAML or JSON file: the validation in TenantDirectoryReader is
// written once against it, and every node keeps its line so error messages can point at the text.

internal abstract class DocNode(int line)
{
    /// <summary>1-based line; 0 when the parser did not say.</summary>
    public int Line { get; } = line;

    public abstract string KindName { get; }
}

/// <summary>A scalar. <see cref="Text"/> is null for YAML/JSON null (including an empty YAML value).</summary>
internal sealed class DocScalar(int line, string? text) : DocNode(line)
{
    public string? Text { get; } = text;

    public bool IsNull => this.Text is null;

    public override string KindName => this.IsNull ? "nothing" : "a scalar";
}

/// <summary>A mapping, in file order. Duplicate keys are kept so the validator can report them with context.</summary>
internal sealed class DocMap(int line, IReadOnlyList<DocEntry> entries) : DocNode(line)
{
    public IReadOnlyList<DocEntry> Entries { get; } = entries;

    public override string KindName => "a mapping";
}

internal sealed class DocList(int line, IReadOnlyList<DocNode> items) : DocNode(line)
{
    public IReadOnlyList<DocNode> Items { get; } = items;

    public override string KindName => "a list";
}

internal readonly record struct DocEntry(string Key, int KeyLine, DocNode Value);

/// <summary>A syntax error in the file, with the parser's line where it gave one.</summary>
internal sealed class DocSyntaxException(int line, string problem, Exception? inner = null) : Exception(problem, inner)
{
    public int Line { get; } = line;
}
