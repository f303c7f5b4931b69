using System.Security.Cryptography;
using System.Text.Json;
using Platform.Audit.Api.Data;

namespace Platform.Audit.Api.Application;

/// <summary>
/// The bytes an entry is hashed from: compact JSON with a fixed member order, the instant in UTC to the
/// microsecond (what PostgreSQL keeps), so anyone holding the entry can recompute its leaf hash.
/// </summary>
public static class AuditEntryCanonical
{
    public static byte[] Bytes(AuditEntry e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id.ToString("D"));
            w.WriteString("tenant", e.TenantId);
            w.WriteNumber("sequence", e.Sequence);
            w.WriteString("type", e.Type);
            w.WriteString("action", ActionCode(e.Action));
            w.WriteNumber("outcome", (int)e.Outcome);
            w.WriteString("recorded", e.Recorded.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteStartObject("agent");
            w.WriteString("who", e.AgentWho);
            w.WriteString("role", e.AgentRole);
            w.WriteString("purposeOfUse", e.AgentPurposeOfUse);
            w.WriteEndObject();
            w.WriteStartObject("entity");
            w.WriteString("what", e.EntityWhat);
            w.WriteString("type", e.EntityType);
            w.WriteEndObject();
            if (e.SourceEventId is not null) w.WriteString("sourceEventId", e.SourceEventId);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>RFC 6962 leaf hash: SHA-256(0x00 ‖ entry), lower-case hex.</summary>
    public static string LeafHash(AuditEntry e)
    {
        var bytes = Bytes(e);
        var input = new byte[bytes.Length + 1];
        bytes.CopyTo(input, 1);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>FHIR's one-letter action code.</summary>
    public static string ActionCode(AuditAction action) => action switch
    {
        AuditAction.Create => "C",
        AuditAction.Read => "R",
        AuditAction.Update => "U",
        AuditAction.Delete => "D",
        AuditAction.Execute => "E",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>Truncates to the microsecond, the precision every store keeps.</summary>
    public static DateTime ToMicroseconds(DateTime t) => new(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);
}
