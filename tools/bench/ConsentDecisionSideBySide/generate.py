import sys
t = open(sys.argv[1]).read()
old_check = """var records = Patients[p];
        // The application picked the setting, then the approval, then called the rule (as on main before ADR 0014).
        string? setting = null;
        foreach (var use in records.Uses)
        {
            if (use.TechnologyId != technology || !string.Equals(use.WardCode, ward, StringComparison.Ordinal)) continue;
            if (use.Status == UseStatus.Active) { setting = use.SettingCode; break; }
            setting ??= use.SettingCode;
        }
        TechnologyApproval? best = null;
        foreach (var approval in Approvals)
        {
            if (approval.TechnologyId != technology || (setting is not null && !string.Equals(approval.SettingCode, setting, StringComparison.Ordinal))) continue;
            if (best is null || (best.WithdrawnAt is not null && approval.WithdrawnAt is null) ||
                ((best.WithdrawnAt is null) == (approval.WithdrawnAt is null) && approval.ApprovedAt > best.ApprovedAt))
                best = approval;
        }
        return UseCheck.Evaluate(records, technology, ward, UsePurpose.DirectCareOrTreatment, best, Policy, Now).IsPermitted;"""
new_check = "return UseCheck.Evaluate(Patients[p], technology, ward, UsePurpose.DirectCareOrTreatment, Approvals, Policy, Now).IsPermitted;"
o = t.replace('USING_LINE', 'extern alias baseline;\nusing baseline::Platform.Consent.Domain;', 1).replace('USING_LINE', 'the baseline').replace('NAMESPACE', 'Sbs.Main').replace('CHECK_BODY', old_check)
n = t.replace('USING_LINE', 'using Platform.Consent.Domain;', 1).replace('USING_LINE', 'this tree').replace('NAMESPACE', 'Sbs.Branch').replace('CHECK_BODY', new_check)
open(sys.argv[2] + '/Main.cs', 'w').write(o)
open(sys.argv[2] + '/Branch.cs', 'w').write(n)
