using System.Text;
using Platform.Audit.Domain.Entries;

namespace Platform.Audit.Domain.Tests;

public class AuditEntryCanonicalFormTests
{
    // Written by hand from docs/audit/canonical-entry.md; the digests were computed outside this code base
    // (Python: hashlib.sha256(b"\x00" + text.encode()).hexdigest()).
    private const string ReadOfAPatientCanonical =
        "{\"action\":\"R\",\"agent\":{\"purposeOfUse\":\"TREAT\",\"role\":\"clinician\",\"who\":\"O'Brien+Ñ <x>\"}," +
        "\"entity\":{\"type\":\"Patient\",\"what\":\"Patient/7f3c\"},\"id\":\"0193b6f4-1c2d-7a00-8b1e-5f0c2d3e4a5b\",\"outcome\":\"0\"," +
        "\"patient\":\"Patient/7f3c\",\"recorded\":\"2026-12-02T10:15:30.123456Z\",\"schema\":\"audit-entry/v1\",\"sequence\":42," +
        "\"sourceEvent\":{\"id\":\"evt-1\",\"source\":\"/consent\"},\"tenant\":\"RX3\",\"type\":\"patient-record-read\"}";

    private const string ReadOfAPatientLeafHash = "233e382362936fdec5627be6bdd822f062aaf5ba6d26896b4a9c970bcc27a538";

    private const string ReplayCanonical =
        "{\"action\":\"E\",\"agent\":{\"purposeOfUse\":\"\",\"role\":\"platform-operator\",\"who\":\"svc-relay\"}," +
        "\"entity\":{\"type\":\"\",\"what\":\"DeadLetter/9\"},\"id\":\"0193b6f4-1c2d-7a00-8b1e-000000000001\",\"outcome\":\"12\"," +
        "\"recorded\":\"1999-12-31T23:59:59.000001Z\",\"schema\":\"audit-entry/v1\",\"sequence\":1,\"tenant\":\"RTQ\",\"type\":\"dead-letter-replayed\"}";

    private const string ReplayLeafHash = "893b929f6edfd63545f51e925264fa7004fb3547970f9aebcffadec9709fcbf4";

    internal static AuditEntry ReadOfAPatient() => new(
        Guid.Parse("0193b6f4-1c2d-7a00-8b1e-5f0c2d3e4a5b"), "RX3", 42, "patient-record-read", AuditAction.Read, AuditOutcome.Success,
        new DateTimeOffset(2026, 12, 2, 10, 15, 30, TimeSpan.Zero).AddTicks(1234560),
        new AuditAgent("O'Brien+Ñ <x>", "clinician", "TREAT"), new AuditEntity("Patient/7f3c", "Patient"),
        "Patient/7f3c", new SourceEvent("/consent", "evt-1"));

    private static AuditEntry Replay() => new(
        Guid.Parse("0193b6f4-1c2d-7a00-8b1e-000000000001"), "RTQ", 1, "dead-letter-replayed", AuditAction.Execute, AuditOutcome.MajorFailure,
        new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(10),
        new AuditAgent("svc-relay", "platform-operator", ""), new AuditEntity("DeadLetter/9", ""));

    [Fact]
    public void An_entry_with_every_field_has_the_documented_canonical_bytes_and_leaf_hash()
    {
        Assert.Equal(Encoding.UTF8.GetBytes(ReadOfAPatientCanonical), AuditEntryCanonicalForm.Bytes(ReadOfAPatient()));
        Assert.Equal(ReadOfAPatientLeafHash, Convert.ToHexStringLower(AuditEntryCanonicalForm.LeafHash(ReadOfAPatient())));
    }

    [Fact]
    public void An_entry_without_patient_or_source_event_leaves_them_out_and_keeps_empty_strings()
    {
        Assert.Equal(Encoding.UTF8.GetBytes(ReplayCanonical), AuditEntryCanonicalForm.Bytes(Replay()));
        Assert.Equal(ReplayLeafHash, Convert.ToHexStringLower(AuditEntryCanonicalForm.LeafHash(Replay())));
    }

    [Fact]
    public void Changing_any_field_changes_the_leaf_hash()
    {
        var entry = ReadOfAPatient();
        var changes = new Dictionary<string, AuditEntry>
        {
            ["Id"] = entry with { Id = Guid.Parse("0193b6f4-1c2d-7a00-8b1e-5f0c2d3e4a5c") },
            ["Tenant"] = entry with { Tenant = "RTQ" },
            ["Sequence"] = entry with { Sequence = 43 },
            ["Type"] = entry with { Type = "patient-record-reads" },
            ["Action"] = entry with { Action = AuditAction.Update },
            ["Outcome"] = entry with { Outcome = AuditOutcome.MinorFailure },
            ["Recorded"] = entry with { Recorded = entry.Recorded.AddTicks(10) },
            ["Agent.Who"] = entry with { Agent = entry.Agent with { Who = "O'Brien+N <x>" } },
            ["Agent.Role"] = entry with { Agent = entry.Agent with { Role = "auditor" } },
            ["Agent.PurposeOfUse"] = entry with { Agent = entry.Agent with { PurposeOfUse = "" } },
            ["Entity.What"] = entry with { Entity = entry.Entity with { What = "Patient/7f3d" } },
            ["Entity.Type"] = entry with { Entity = entry.Entity with { Type = "" } },
            ["Patient"] = entry with { Patient = "Patient/7f3d" },
            ["Patient:absent"] = entry with { Patient = null },
            ["SourceEvent.Source"] = entry with { SourceEvent = entry.SourceEvent! with { Source = "/procurement" } },
            ["SourceEvent.Id"] = entry with { SourceEvent = entry.SourceEvent! with { Id = "evt-2" } },
            ["SourceEvent:absent"] = entry with { SourceEvent = null },
        };

        // Every property of the entry and its parts is changed above, so a new field cannot skip the hash unnoticed.
        var properties = typeof(AuditEntry).GetProperties().Select(p => p.Name)
            .Concat(typeof(AuditAgent).GetProperties().Select(p => "Agent." + p.Name))
            .Concat(typeof(AuditEntity).GetProperties().Select(p => "Entity." + p.Name))
            .Concat(typeof(SourceEvent).GetProperties().Select(p => "SourceEvent." + p.Name))
            .Where(name => name is not ("Agent" or "Entity" or "SourceEvent" or "EqualityContract"));
        Assert.Empty(properties.Except(changes.Keys.Select(k => k.Split(':')[0])));

        var original = Convert.ToHexStringLower(AuditEntryCanonicalForm.LeafHash(entry));
        var hashes = changes.ToDictionary(c => c.Key, c => Convert.ToHexStringLower(AuditEntryCanonicalForm.LeafHash(c.Value)));
        Assert.All(hashes, h => Assert.NotEqual(original, h.Value));
        Assert.Equal(hashes.Count, hashes.Values.Distinct().Count());
    }

    [Fact]
    public void Recorded_keeps_microseconds_in_UTC_whatever_the_offset_given()
    {
        var local = new DateTimeOffset(2026, 12, 2, 11, 15, 30, TimeSpan.FromHours(1)).AddTicks(1234567);

        Assert.Equal("2026-12-02T10:15:30.123456Z", AuditEntryCanonicalForm.RecordedText(AuditEntry.ToMicroseconds(local)));
    }

    [Theory]
    [InlineData("agent-who.format", "who\u0001")]
    [InlineData("agent-who.format", " padded")]
    [InlineData("agent-who.required", "")]
    public void A_malformed_entry_is_refused_naming_the_field(string rule, string who)
    {
        var entry = ReadOfAPatient() with { Agent = new AuditAgent(who, "clinician", "TREAT") };

        Assert.Equal(rule, entry.Check()?.Rule);
        Assert.Throws<ArgumentException>(() => AuditEntryCanonicalForm.Bytes(entry));
    }

    [Fact]
    public void A_lone_surrogate_which_has_no_UTF8_form_is_refused()
    {
        var entry = ReadOfAPatient() with { Agent = new AuditAgent("broken " + (char)0xD800, "clinician", "TREAT") };

        Assert.Equal("agent-who.format", entry.Check()?.Rule);
    }

    [Fact]
    public void Sub_microsecond_or_non_UTC_instants_are_refused()
    {
        Assert.Equal("recorded.precision", (ReadOfAPatient() with { Recorded = ReadOfAPatient().Recorded.AddTicks(1) }).Check()?.Rule);
        Assert.Equal("recorded.precision", (ReadOfAPatient() with { Recorded = ReadOfAPatient().Recorded.ToOffset(TimeSpan.FromHours(1)) }).Check()?.Rule);
    }
}
