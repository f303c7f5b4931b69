using Platform.Audit.Domain.Entries;

namespace Platform.Audit.Domain.Tests;

/// <summary>
/// Every rule of <see cref="AuditEntry.Check"/>: the rule code and the message the caller sees (both name the field),
/// the length limits at their edges, and which text fields may be empty. An entry refused here never becomes a leaf.
/// </summary>
public class AuditEntryCheckTests
{
    private static AuditEntry Entry() => AuditEntryCanonicalFormTests.ReadOfAPatient();

    private static string Chars(int count) => new('x', count);

    public static TheoryData<string, Func<AuditEntry, AuditEntry>, string, string> Refusals => new()
    {
        { "empty id", e => e with { Id = Guid.Empty }, "id.required", "Entry id is required." },
        { "lower-case tenant", e => e with { Tenant = "rx3" }, "tenant.format", "Tenant must be an ODS code (3 to 6 upper-case letters or digits)." },
        { "sequence 0", e => e with { Sequence = 0 }, "sequence.range", "Sequence starts at 1." },
        { "blank type", e => e with { Type = " " }, "type.required", "Type is required." },
        { "padded type", e => e with { Type = " patient-record-read" }, "type.format", "Type must not start or end with spaces." },
        { "undefined action", e => e with { Action = (AuditAction)6 }, "action.required", "Action must be one of: Create, Read, Update, Delete, Execute." },
        { "undefined outcome", e => e with { Outcome = (AuditOutcome)1 }, "outcome.range", "Outcome must be Success, MinorFailure, SeriousFailure or MajorFailure." },
        { "sub-microsecond", e => e with { Recorded = e.Recorded.AddTicks(1) }, "recorded.precision", "Recorded must be UTC in whole microseconds." },
        { "offset", e => e with { Recorded = e.Recorded.ToOffset(TimeSpan.FromHours(1)) }, "recorded.precision", "Recorded must be UTC in whole microseconds." },
        { "no agent", e => e with { Agent = null! }, "agent.required", "Agent is required." },
        { "null who", e => e with { Agent = e.Agent with { Who = null! } }, "agent-who.required", "Agent who is required (use an empty string for none)." },
        { "blank who", e => e with { Agent = e.Agent with { Who = "  " } }, "agent-who.required", "Agent who is required." },
        { "who of 129", e => e with { Agent = e.Agent with { Who = Chars(129) } }, "agent-who.too-long", "Agent who must be at most 128 characters." },
        { "padded who", e => e with { Agent = e.Agent with { Who = "svc " } }, "agent-who.format", "Agent who must not start or end with spaces." },
        { "control in who", e => e with { Agent = e.Agent with { Who = "a\u007fb" } }, "agent-who.format", "Agent who must not contain control characters." },
        { "high surrogate last", e => e with { Agent = e.Agent with { Who = "ab\ud83d" } }, "agent-who.format", "Agent who holds a broken UTF-16 surrogate pair." },
        { "high surrogate then letter", e => e with { Agent = e.Agent with { Who = "\ud83dab" } }, "agent-who.format", "Agent who holds a broken UTF-16 surrogate pair." },
        { "low surrogate alone", e => e with { Agent = e.Agent with { Who = "a\ude00b" } }, "agent-who.format", "Agent who holds a broken UTF-16 surrogate pair." },
        { "blank role", e => e with { Agent = e.Agent with { Role = "" } }, "agent-role.required", "Agent role is required." },
        { "null role", e => e with { Agent = e.Agent with { Role = null! } }, "agent-role.required", "Agent role is required (use an empty string for none)." },
        { "role of 65", e => e with { Agent = e.Agent with { Role = Chars(65) } }, "agent-role.too-long", "Agent role must be at most 64 characters." },
        { "null purpose", e => e with { Agent = e.Agent with { PurposeOfUse = null! } }, "agent-purpose-of-use.required", "Agent purpose of use is required (use an empty string for none)." },
        { "purpose of 33", e => e with { Agent = e.Agent with { PurposeOfUse = Chars(33) } }, "agent-purpose-of-use.too-long", "Agent purpose of use must be at most 32 characters." },
        { "padded purpose", e => e with { Agent = e.Agent with { PurposeOfUse = " TREAT" } }, "agent-purpose-of-use.format", "Agent purpose of use must not start or end with spaces." },
        { "no entity", e => e with { Entity = null! }, "entity.required", "Entity is required." },
        { "blank what", e => e with { Entity = e.Entity with { What = "" } }, "entity-what.required", "Entity what is required." },
        { "what of 257", e => e with { Entity = e.Entity with { What = Chars(257) } }, "entity-what.too-long", "Entity what must be at most 256 characters." },
        { "null entity type", e => e with { Entity = e.Entity with { Type = null! } }, "entity-type.required", "Entity type is required (use an empty string for none)." },
        { "entity type of 65", e => e with { Entity = e.Entity with { Type = Chars(65) } }, "entity-type.too-long", "Entity type must be at most 64 characters." },
        { "empty patient", e => e with { Patient = "" }, "patient.required", "Patient is required." },
        { "patient of 129", e => e with { Patient = Chars(129) }, "patient.too-long", "Patient must be at most 128 characters." },
        { "control in patient", e => e with { Patient = "Patient/\n1" }, "patient.format", "Patient must not contain control characters." },
        { "blank source", e => e with { SourceEvent = e.SourceEvent! with { Source = " " } }, "source-event-source.required", "Source event source is required." },
        { "source of 257", e => e with { SourceEvent = e.SourceEvent! with { Source = Chars(257) } }, "source-event-source.too-long", "Source event source must be at most 256 characters." },
        { "blank event id", e => e with { SourceEvent = e.SourceEvent! with { Id = "" } }, "source-event-id.required", "Source event id is required." },
        { "event id of 129", e => e with { SourceEvent = e.SourceEvent! with { Id = Chars(129) } }, "source-event-id.too-long", "Source event id must be at most 128 characters." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_malformed_entry_is_refused_with_the_rule_and_message_naming_its_field(string change, Func<AuditEntry, AuditEntry> apply, string rule, string message)
    {
        var refusal = apply(Entry()).Check();

        Assert.True(refusal is not null, change);
        Assert.Equal((rule, message), (refusal.Rule, refusal.Message));
        var thrown = Assert.Throws<ArgumentException>(() => AuditEntryCanonicalForm.Bytes(apply(Entry())));
        Assert.StartsWith($"{rule}: {message}", thrown.Message);
    }

    public static TheoryData<string, Func<AuditEntry, AuditEntry>> Accepted => new()
    {
        { "sequence 1", e => e with { Sequence = 1 } },
        { "who of 128", e => e with { Agent = e.Agent with { Who = Chars(128) } } },
        { "who with a surrogate pair", e => e with { Agent = e.Agent with { Who = "a\ud83d\ude00b\ud83d\ude00" } } },
        { "role of 64", e => e with { Agent = e.Agent with { Role = Chars(64) } } },
        { "empty purpose", e => e with { Agent = e.Agent with { PurposeOfUse = "" } } },
        { "purpose of 32", e => e with { Agent = e.Agent with { PurposeOfUse = Chars(32) } } },
        { "what of 256", e => e with { Entity = e.Entity with { What = Chars(256) } } },
        { "empty entity type", e => e with { Entity = e.Entity with { Type = "" } } },
        { "entity type of 64", e => e with { Entity = e.Entity with { Type = Chars(64) } } },
        { "no patient", e => e with { Patient = null } },
        { "patient of 128", e => e with { Patient = Chars(128) } },
        { "no source event", e => e with { SourceEvent = null } },
        { "source of 256", e => e with { SourceEvent = e.SourceEvent! with { Source = Chars(256) } } },
        { "event id of 128", e => e with { SourceEvent = e.SourceEvent! with { Id = Chars(128) } } },
        { "each action", e => e with { Action = AuditAction.Create } },
        { "each outcome", e => e with { Outcome = AuditOutcome.SeriousFailure } },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_well_formed_entry_at_the_edges_is_accepted(string change, Func<AuditEntry, AuditEntry> apply)
    {
        var entry = apply(Entry());

        Assert.True(entry.Check() is null, $"{change}: {entry.Check()?.Rule}");
        Assert.Equal(32, AuditEntryCanonicalForm.LeafHash(entry).Length);
    }

    [Theory]
    [InlineData(AuditAction.Create, "C")]
    [InlineData(AuditAction.Read, "R")]
    [InlineData(AuditAction.Update, "U")]
    [InlineData(AuditAction.Delete, "D")]
    [InlineData(AuditAction.Execute, "E")]
    public void Each_action_has_its_FHIR_code_and_the_code_reads_back(AuditAction action, string code)
    {
        Assert.Equal(code, AuditEntryCanonicalForm.ActionCode(action));
        Assert.Equal(action, AuditEntryCanonicalForm.ParseActionCode(code));
    }

    [Theory]
    [InlineData(AuditOutcome.Success, "0")]
    [InlineData(AuditOutcome.MinorFailure, "4")]
    [InlineData(AuditOutcome.SeriousFailure, "8")]
    [InlineData(AuditOutcome.MajorFailure, "12")]
    public void Each_outcome_has_its_FHIR_code_and_the_code_reads_back(AuditOutcome outcome, string code)
    {
        Assert.Equal(code, AuditEntryCanonicalForm.OutcomeCode(outcome));
        Assert.Equal(outcome, AuditEntryCanonicalForm.ParseOutcomeCode(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("r")]
    [InlineData("X")]
    [InlineData("1")]
    [InlineData("00")]
    public void An_unknown_code_reads_as_none(string? code)
    {
        Assert.Null(AuditEntryCanonicalForm.ParseActionCode(code));
        Assert.Null(AuditEntryCanonicalForm.ParseOutcomeCode(code));
    }

    [Fact]
    public void An_action_or_outcome_outside_the_enumeration_has_no_code()
    {
        Assert.Equal("action", Assert.Throws<ArgumentOutOfRangeException>(() => AuditEntryCanonicalForm.ActionCode((AuditAction)0)).ParamName);
        Assert.Equal("outcome", Assert.Throws<ArgumentOutOfRangeException>(() => AuditEntryCanonicalForm.OutcomeCode((AuditOutcome)2)).ParamName);
    }

    [Fact]
    public void An_instant_is_kept_in_UTC_and_cut_to_whole_microseconds_never_rounded_up()
    {
        var local = new DateTimeOffset(2026, 12, 2, 11, 15, 30, TimeSpan.FromHours(1)).AddTicks(1234569);

        var stored = AuditEntry.ToMicroseconds(local);

        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 15, 30, TimeSpan.Zero).AddTicks(1234560), stored);
        Assert.Equal(stored, AuditEntry.ToMicroseconds(stored));
    }

    [Fact]
    public void The_canonical_json_names_the_schema_and_writes_the_codes_not_the_enum_names()
    {
        var json = AuditEntryCanonicalForm.ToJson(Entry());

        Assert.Equal("audit-entry/v1", (string?)json["schema"]);
        Assert.Equal("R", (string?)json["action"]);
        Assert.Equal("0", (string?)json["outcome"]);
        Assert.Equal(42, (long?)json["sequence"]);
    }
}
