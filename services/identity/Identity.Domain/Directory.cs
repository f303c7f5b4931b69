using Platform.Domain;

namespace Platform.Identity.Domain;

/// <summary>A ward's setting type: the values of platform.common.v1.WardSetting.</summary>
public enum WardSetting
{
    Unspecified = 0,
    AcuteAdult = 1,
    Picu = 2,
    Camhs = 3,
    LdAutism = 4,
    OlderAdults = 5,
    MotherAndBaby = 6,
    Secure = 7,
    Rehabilitation = 8,
}

public enum TrustStatus
{
    Unspecified = 0,
    Active = 1,
    /// <summary>Its clients get no tokens and the services refuse its tokens, until it is reinstated.</summary>
    Suspended = 2,
}

public static class WardSettings
{
    /// <summary>The setting as procurement's approvals and the consent service name it: "acute-adult", "picu", "older-adults".</summary>
    public static string Code(WardSetting setting) => setting switch
    {
        WardSetting.AcuteAdult => "acute-adult",
        WardSetting.Picu => "picu",
        WardSetting.Camhs => "camhs",
        WardSetting.LdAutism => "ld-autism",
        WardSetting.OlderAdults => "older-adults",
        WardSetting.MotherAndBaby => "mother-and-baby",
        WardSetting.Secure => "secure",
        WardSetting.Rehabilitation => "rehabilitation",
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "No setting code for an unspecified setting."),
    };
}

/// <summary>Codes as the directory keeps them: trimmed and upper-case, so "rx3 " and "RX3" name one trust, "oak" and "OAK" one ward.</summary>
public static class DirectoryCodes
{
    public static string? Normalise(string? code) => code?.Trim().ToUpperInvariant();

    public static Refusal? OdsCode(string? normalised) =>
        Platform.Domain.OdsCode.IsValid(normalised) ? null : Refusal.Invalid("ods-code.format", "ODS code must be 3 to 6 letters or digits, e.g. RX3.");
}

/// <summary>A trust as the region operator onboards it.</summary>
public sealed record TrustDetails(string OdsCode, string Name)
{
    public const int MaxName = 200;

    public static Outcome<TrustDetails> Create(string? odsCode, string? name)
    {
        var code = DirectoryCodes.Normalise(odsCode);
        if (DirectoryCodes.OdsCode(code) is { } badCode) return badCode;
        if (Validation.RequiredText("name", name, MaxName) is { } badName) return badName;
        return new TrustDetails(code!, name!.Trim());
    }
}

/// <summary>A ward as a trust admin registers or changes it. A ward belongs to one trust (the caller's).</summary>
public sealed record WardDetails(string Code, string Name, WardSetting Setting, int Beds, bool Closed)
{
    public const int MaxBeds = 200;
    public const int MaxName = 200;

    public static Outcome<WardDetails> Create(string? code, string? name, WardSetting setting, int beds)
    {
        if (Validation.Code("ward-code", code) is { } badCode) return badCode;
        if (Validation.RequiredText("name", name, MaxName) is { } badName) return badName;
        if (Validation.Defined("setting", setting) is { } badSetting) return badSetting;
        if (BedsRefusal(beds) is { } badBeds) return badBeds;
        return new WardDetails(DirectoryCodes.Normalise(code)!, name!.Trim(), setting, beds, Closed: false);
    }

    /// <summary>This ward with the given fields changed (null keeps a field), or the refusal naming the bad field.</summary>
    public Outcome<WardDetails> Change(string? name, WardSetting? setting, int? beds, bool? closed)
    {
        if (name is not null && Validation.RequiredText("name", name, MaxName) is { } badName) return badName;
        if (setting is { } s && Validation.Defined("setting", s) is { } badSetting) return badSetting;
        if (beds is { } b && BedsRefusal(b) is { } badBeds) return badBeds;
        return this with { Name = name?.Trim() ?? Name, Setting = setting ?? Setting, Beds = beds ?? Beds, Closed = closed ?? Closed };
    }

    private static Refusal? BedsRefusal(int beds) =>
        beds is < 1 or > MaxBeds ? Refusal.Invalid("beds.range", $"Beds must be between 1 and {MaxBeds}.") : null;
}
