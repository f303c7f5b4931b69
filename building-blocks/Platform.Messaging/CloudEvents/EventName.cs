using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Platform.Messaging.CloudEvents;

/// <summary>
/// The CloudEvent type and the topic of an event message, derived from its protobuf full name so that the proto in
/// <c>protos/</c> stays the one source of truth: message <c>UseAuthorised</c> in package <c>platform.consent.v1</c>
/// has type <c>platform.consent.use_authorised.v1</c> and topic <c>consent.use_authorised.v1</c>.
/// </summary>
/// <param name="Service">The service segment of the package (<c>consent</c>).</param>
/// <param name="Event">The message name in snake_case (<c>use_authorised</c>).</param>
/// <param name="Version">The package version (<c>v1</c>).</param>
public sealed record EventName(string Service, string Event, string Version)
{
    private static readonly ConcurrentDictionary<MessageDescriptor, EventName> s_cache = new();

    /// <summary>CloudEvent <c>type</c>: <c>platform.&lt;service&gt;.&lt;event&gt;.v&lt;N&gt;</c>.</summary>
    public string Type => $"platform.{Service}.{Event}.{Version}";

    /// <summary>Pub/sub topic: <c>&lt;service&gt;.&lt;event&gt;.v&lt;N&gt;</c>.</summary>
    public string Topic => $"{Service}.{Event}.{Version}";

    /// <summary>The name of event message <typeparamref name="T"/>.</summary>
    public static EventName For<T>() where T : IMessage<T>, new() => For(new T().Descriptor);

    /// <summary>
    /// The name of the message described by <paramref name="descriptor"/>. The package must look like
    /// <c>platform.&lt;service&gt;.v&lt;N&gt;</c>.
    /// </summary>
    public static EventName For(MessageDescriptor descriptor) => s_cache.GetOrAdd(descriptor, static d =>
    {
        var parts = d.File.Package.Split('.');
        if (parts.Length != 3 || parts[0] != "platform" || !IsVersion(parts[2]))
        {
            throw new InvalidOperationException(
                $"Event message {d.FullName} must live in a proto package named platform.<service>.v<N> " +
                "(for example platform.consent.v1) so its CloudEvent type and topic can be derived.");
        }
        return new EventName(parts[1], ToSnakeCase(d.Name), parts[2]);
    });

    private static bool IsVersion(string s) => s.Length > 1 && s[0] == 'v' && s.Skip(1).All(char.IsAsciiDigit);

    internal static string ToSnakeCase(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                // A word starts at an upper-case letter after a lower-case letter or digit, or at the last capital of an
                // acronym followed by a lower-case letter (DTACPassed -> dtac_passed).
                var startsWord = i > 0 && (char.IsLower(pascal[i - 1]) || char.IsDigit(pascal[i - 1])
                    || (char.IsUpper(pascal[i - 1]) && i + 1 < pascal.Length && char.IsLower(pascal[i + 1])));
                if (startsWord) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
