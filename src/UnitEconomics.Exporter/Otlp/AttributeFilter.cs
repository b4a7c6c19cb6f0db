using System.Reflection;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// The span attributes the engine reads (its normalizer's keys: the GenAI conventions, the configured
/// tenant, use-case and cache-hit keys). A span is buffered until its trace settles; keeping only these
/// makes what waits smaller (a chat span's max_tokens, temperature, server address and port, say, are
/// never read). Keys are compared by reference: <see cref="OtlpStrings"/> hands back the interned
/// instances, and every key kept here is interned.
/// </summary>
public sealed class AttributeFilter
{
    private readonly HashSet<string> keys = new(ReferenceEqualityComparer.Instance);

    public AttributeFilter(CostEngine engine)
    {
        var spans = engine.Options.Spans;
        var candidates = ConstantsOf(typeof(GenAiAttributes))
            .Concat(spans.EffectiveTenantKeys)
            .Concat(spans.EffectiveUseCaseKeys)
            .Concat(spans.EffectiveCacheHitKeys);
        foreach (var key in candidates)
        {
            this.keys.Add(string.Intern(key));
        }

        // Keys decoded before these were interned are cached as other instances: look again.
        OtlpStrings.KeysInterned();
    }

    public bool Keeps(string key) => this.keys.Contains(key);

    private static IEnumerable<string> ConstantsOf(Type type)
    {
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.IsLiteral && field.GetRawConstantValue() is string value)
            {
                yield return value;
            }
        }

        foreach (var nested in type.GetNestedTypes(BindingFlags.Public))
        {
            foreach (var value in ConstantsOf(nested))
            {
                yield return value;
            }
        }
    }
}
