namespace Platform.Contracts.Common.V1;

/// <summary>
/// The code a ward setting goes by in the directory's events and in procurement's approvals ("acute-adult", "picu",
/// ...): one mapping for every service that learns wards from identity.ward_registered.v1 / ward_changed.v1.
/// </summary>
public static class WardSettingCodes
{
    /// <summary>The event's own setting code when it carries one, else the code of its <paramref name="setting"/>; "" for none.</summary>
    public static string Of(string? code, WardSetting setting) => !string.IsNullOrWhiteSpace(code) ? code.Trim() : setting switch
    {
        WardSetting.AcuteAdult => "acute-adult",
        WardSetting.Picu => "picu",
        WardSetting.Camhs => "camhs",
        WardSetting.LdAutism => "ld-autism",
        WardSetting.OlderAdults => "older-adults",
        WardSetting.MotherAndBaby => "mother-and-baby",
        WardSetting.Secure => "secure",
        WardSetting.Rehabilitation => "rehabilitation",
        _ => "",
    };
}
