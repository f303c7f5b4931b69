namespace Platform.Domain;

/// <summary>Why a command was refused, in a form that maps to a transport status.</summary>
public enum RefusalKind
{
    /// <summary>The request itself is malformed (INVALID_ARGUMENT).</summary>
    InvalidArgument,
    /// <summary>The thing named does not exist for this tenant (NOT_FOUND).</summary>
    NotFound,
    /// <summary>The thing already exists (ALREADY_EXISTS).</summary>
    AlreadyExists,
    /// <summary>The request is well formed but a rule forbids it now (FAILED_PRECONDITION).</summary>
    FailedPrecondition,
    /// <summary>The caller may not do this (PERMISSION_DENIED).</summary>
    PermissionDenied,
}

/// <summary>
/// A refused command: the rule that refused it (a stable code, e.g. <c>nhs-number.check-digit</c>) and a message a
/// clinician or operator can act on. Never carries patient names.
/// </summary>
public sealed record Refusal(RefusalKind Kind, string Rule, string Message)
{
    /// <summary>
    /// The request field an invalid-argument refusal is about, as the transport names it (<c>blanket_share_threshold</c>),
    /// when the rule's code does not say it: a rule shared by several fields (<c>trust-policy.not-a-number</c>).
    /// </summary>
    public string? Field { get; init; }

    public static Refusal Invalid(string rule, string message) => new(RefusalKind.InvalidArgument, rule, message);
    public static Refusal NotFound(string rule, string message) => new(RefusalKind.NotFound, rule, message);
    public static Refusal Exists(string rule, string message) => new(RefusalKind.AlreadyExists, rule, message);
    public static Refusal Precondition(string rule, string message) => new(RefusalKind.FailedPrecondition, rule, message);
    public static Refusal Denied(string rule, string message) => new(RefusalKind.PermissionDenied, rule, message);
}

/// <summary>Either a value or the refusal that prevented it.</summary>
public readonly struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, Refusal? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    public Refusal? Refusal { get; }

    public bool IsRefused => Refusal is not null;

    /// <summary>The value; throws if the outcome is a refusal.</summary>
    public T Value => Refusal is null ? _value! : throw new InvalidOperationException($"Refused: {Refusal.Rule}: {Refusal.Message}");

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
}
