using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Platform.Domain;

namespace Platform.Grpc;

/// <summary>
/// Refuses a request whose google.protobuf.Timestamp or Duration fields hold values those types do not allow (a
/// Timestamp outside years 1-9999 or with nanos outside 0-999,999,999; a Duration beyond ±10,000 years or with nanos
/// of the other sign): INVALID_ARGUMENT naming the field by its path (<c>care_plan.next_review_date</c>,
/// <c>people_consulted[1].consulted_at</c>), before the handler runs, so nothing is changed. Without it the handler's
/// <c>ToDateTime()</c> or <c>ToTimeSpan()</c> throws and the caller gets UNKNOWN with no word of which field.
/// </summary>
/// <remarks>
/// Which fields of a message type can hold either type (directly or in nested messages) is worked out once per type
/// and cached, so a request with none (CheckUse's) costs one dictionary look-up.
/// </remarks>
public static class WellKnownValues
{
    // Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z; Duration: ±315,576,000,000 s (the types' own documented range).
    private const long MinTimestampSeconds = -62_135_596_800, MaxTimestampSeconds = 253_402_300_799;
    private const long MaxDurationSeconds = 315_576_000_000;
    private const int MaxNanos = 999_999_999;

    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor[]> s_fields = new();

    /// <summary>Null when every Timestamp and Duration in <paramref name="message"/> is in range; else the refusal for the first that is not.</summary>
    public static Refusal? Check(IMessage message) => Check(message, "");

    private static Refusal? Check(IMessage message, string prefix)
    {
        var fields = FieldsToVisit(message.Descriptor);
        if (fields.Length == 0) return null;
        foreach (var field in fields)
        {
            var value = field.Accessor.GetValue(message);
            if (value is null) continue;
            var path = prefix + field.Name;
            if (field.IsRepeated)
            {
                var i = 0;
                foreach (var item in (System.Collections.IList)value)
                {
                    if (item is IMessage element && CheckOne(element, $"{path}[{i}]") is { } refusal) return refusal;
                    i++;
                }
            }
            else if (value is IMessage one && CheckOne(one, path) is { } refusal) return refusal;
        }
        return null;
    }

    private static Refusal? CheckOne(IMessage value, string path) => value switch
    {
        Timestamp t when t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || t.Nanos is < 0 or > MaxNanos =>
            Refusal.Invalid($"{Kebab(path)}.out-of-range",
                $"{path} is not a valid time: a Timestamp must be between 0001-01-01 and 9999-12-31 UTC with nanos from 0 to 999,999,999."),
        Duration d when d.Seconds is < -MaxDurationSeconds or > MaxDurationSeconds || d.Nanos is < -MaxNanos or > MaxNanos ||
                        (d.Seconds < 0 && d.Nanos > 0) || (d.Seconds > 0 && d.Nanos < 0) =>
            Refusal.Invalid($"{Kebab(path)}.out-of-range",
                $"{path} is not a valid duration: a Duration must be within ±315,576,000,000 seconds, with nanos of the same sign and under a second."),
        Timestamp or Duration => null,
        _ => Check(value, path + "."),
    };

    /// <summary>The message-typed fields of <paramref name="type"/> that are, or can contain, a Timestamp or Duration (maps are not visited).</summary>
    private static FieldDescriptor[] FieldsToVisit(MessageDescriptor type) =>
        s_fields.TryGetValue(type, out var known) ? known : s_fields.GetOrAdd(type, t => t.Fields.InDeclarationOrder()
            .Where(f => f.FieldType == FieldType.Message && !f.IsMap && CanHold(f.MessageType, [t]))
            .ToArray());

    private static bool CanHold(MessageDescriptor type, HashSet<MessageDescriptor> seen)
    {
        if (type.FullName is "google.protobuf.Timestamp" or "google.protobuf.Duration") return true;
        if (!seen.Add(type)) return false;
        return type.Fields.InDeclarationOrder().Any(f => f.FieldType == FieldType.Message && !f.IsMap && CanHold(f.MessageType, seen));
    }

    // "care_plan.next_review_date" -> "care-plan.next-review-date", so that the refusal's field reads back as the path.
    private static string Kebab(string path) => path.Replace('_', '-');
}
