using Xunit;

namespace UnitEconomics.Cli.Tests.Support;

/// <summary>
/// Tests that run the demo in this process. The simulator's spans come from one static ActivitySource
/// (<c>UnitEconomics.Demo</c>), so two demos running at once would each also price the other's spans:
/// every class that builds a <c>DemoEnvironment</c> joins this collection, which runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessDemoCollection
{
    public const string Name = "In-process demo";
}
