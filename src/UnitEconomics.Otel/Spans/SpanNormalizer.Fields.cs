using System.Runtime.CompilerServices;

namespace UnitEconomics.Otel.Spans;

/// <summary>
/// The fields the normalizer reads a span into, one value per field: from an <see cref="System.Diagnostics.Activity"/>'s
/// tag objects (in-process, without converting what is not read) or from attribute values a view hands
/// over (the OTLP service). Either way the highest-precedence key of a field wins, whatever the order.
/// </summary>
public sealed partial class SpanNormalizer
{
    internal enum Field : byte
    {
        Operation,
        Provider,
        Model,
        Input,
        Output,
        CacheRead,
        CacheWrite,
        Reasoning,
        Cost,
        CostCurrency,
        Conversation,
        Agent,
        Tool,
        DataSource,
        ResponseId,
        Tenant,
        UseCase,
        CacheHit,
        TaskRoot,
        Batch,
        Count,
    }

    /// <summary>Where a key's value goes, its rank among the keys for that field (0 wins), and whether it alone marks a GenAI span.</summary>
    internal readonly record struct Slot(Field Field, byte Precedence, bool MarksGenAi);

    [InlineArray((int)Field.Count)]
    private struct ValueBuffer
    {
        private AttributeValue element;
    }

    [InlineArray((int)Field.Count)]
    private struct PrecedenceBuffer
    {
        private byte element;
    }

    /// <summary>The normalizer's view of the attributes it kept, one value per field.</summary>
    private interface IFields
    {
        bool AnyGenAi { get; }

        bool Has(Field field);

        AttributeValue Value(Field field);

        /// <summary>A label-like value: strings as they are, other scalars in invariant text.</summary>
        string? String(Field field);

        bool IsTrue(Field field);

        /// <summary>A token count; 0 when absent; false with the reason when malformed.</summary>
        bool TryGetTokens(Field field, out long tokens, ref RejectReason reason);
    }

    [InlineArray((int)Field.Count)]
    private struct ObjectBuffer
    {
        private object? element;
    }

    /// <summary>Activity tags kept as the objects they are; the common types are read without conversion.</summary>
    private struct TagFields : IFields
    {
        private ObjectBuffer objects;
        private PrecedenceBuffer rank;
        private bool anyGenAi;

        public readonly bool AnyGenAi => this.anyGenAi;

        /// <summary>
        /// One pass over the activity's tags. A method of its own, not inlined into the engine: the loop
        /// then keeps its few variables in registers instead of spilling them around a large frame.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Read(KeyTable<Slot> keys, System.Diagnostics.Activity activity)
        {
            // A field keeps the rank of its value (255 minus the key's precedence: never 0), so the zeroed
            // buffer reads as "nothing yet" and a value is taken on a rank compare alone, without loading
            // the object already there.
            var anyGenAi = false;
            foreach (ref readonly var tag in activity.EnumerateTagObjects())
            {
                var value = tag.Value;
                if (value is not null && keys.TryGetValue(tag.Key, out var slot))
                {
                    var index = (int)slot.Field;
                    var valueRank = (byte)(byte.MaxValue - slot.Precedence);
                    if (valueRank > this.rank[index])
                    {
                        this.objects[index] = value;
                        this.rank[index] = valueRank;
                    }

                    anyGenAi |= slot.MarksGenAi;
                }
            }

            this.anyGenAi = anyGenAi;
        }

        public readonly bool Has(Field field) => this.objects[(int)field] is not null;

        public readonly AttributeValue Value(Field field) => AttributeValue.FromObject(this.objects[(int)field]);

        public readonly string? String(Field field)
        {
            var value = this.objects[(int)field];
            return value as string ?? (value is null ? null : AsString(value));
        }

        public readonly bool IsTrue(Field field)
        {
            var value = this.objects[(int)field];
            return value is bool b ? b : value is not null && IsTrue(value);
        }

        public readonly bool TryGetTokens(Field field, out long tokens, ref RejectReason reason)
        {
            switch (this.objects[(int)field])
            {
                case null:
                    tokens = 0;
                    return true;
                case int i when i >= 0:
                    tokens = i;
                    return true;
                case long l when l >= 0:
                    tokens = l;
                    return true;
                case var other:
                    return TryGetTokens(other, out tokens, ref reason);
            }
        }

        // The conversions of other types, out of line: their temporaries stay out of the per-span frame.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string? AsString(object value) => AttributeValue.FromObject(value).AsString();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool IsTrue(object value) => AttributeValue.FromObject(value).IsTrue();

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool TryGetTokens(object value, out long tokens, ref RejectReason reason) =>
            AttributeValue.FromObject(value).TryGetTokenCount(out tokens, out reason);
    }

    /// <summary>Attributes handed over by a visitor (decoded OTLP), already in the engine's value type.</summary>
    private struct Collector : IAttributeVisitor, IFields
    {
        public ValueBuffer Values;
        public PrecedenceBuffer Precedence;
        private readonly SpanNormalizer owner;
        private bool anyGenAi;

        public Collector(SpanNormalizer owner)
        {
            this.owner = owner;
            ((Span<byte>)this.Precedence).Fill(byte.MaxValue);
        }

        public readonly bool AnyGenAi => this.anyGenAi;

        public void Visit(string key, in AttributeValue value)
        {
            if (value.IsPresent && this.owner.keys.TryGetValue(key, out var slot))
            {
                var index = (int)slot.Field;
                if (slot.Precedence < this.Precedence[index])
                {
                    this.Precedence[index] = slot.Precedence;
                    this.Values[index] = value;
                }

                this.anyGenAi |= slot.MarksGenAi;
            }
        }

        public readonly bool Has(Field field) => this.Values[(int)field].IsPresent;

        public readonly AttributeValue Value(Field field) => this.Values[(int)field];

        public readonly string? String(Field field) => this.Values[(int)field].AsString();

        public readonly bool IsTrue(Field field) => this.Values[(int)field].IsTrue();

        public readonly bool TryGetTokens(Field field, out long tokens, ref RejectReason reason)
        {
            ref readonly var value = ref this.Values[(int)field];
            if (!value.IsPresent)
            {
                tokens = 0;
                return true;
            }

            return value.TryGetTokenCount(out tokens, out reason);
        }
    }
}
