using Platform.Contracts.Evidence.V1;
using Platform.Grpc;
using Domain = Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Grpc;

/// <summary>Instruments and their answers between the proto messages and Evidence.Domain's types.</summary>
public static class InstrumentMessages
{
    public static ListInstrumentsResponse All { get; } = BuildAll();

    private static ListInstrumentsResponse BuildAll()
    {
        var response = new ListInstrumentsResponse();
        foreach (var d in Domain.Instruments.All)
        {
            var message = new InstrumentDefinition
            {
                Instrument = (Instrument)d.Instrument, Code = d.Code, Name = d.Name, Minimum = d.Minimum, Maximum = d.Maximum,
                HigherIsBetter = d.HigherIsBetter, MeasuresChange = d.MeasuresChange,
            };
            switch (d.Instrument)
            {
                case Domain.Instrument.Honos:
                    message.NotKnown = Domain.HonosResponses.NotKnown;
                    message.Items.AddRange(Items(Domain.HonosResponses.Items, 0, 4));
                    break;
                case Domain.Instrument.Core10:
                    message.Items.AddRange(Items(Domain.Core10Responses.Items, 0, 4, Domain.Core10Responses.ReverseScoredItems.Contains));
                    break;
                case Domain.Instrument.ReQoL10:
                    message.Items.AddRange(Domain.ReQoL10Responses.Items.Select((item, i) =>
                        new InstrumentItem { Number = i + 1, Text = item.Text, Minimum = 0, Maximum = 4, ReverseScored = item.NegativelyWorded }));
                    break;
                case Domain.Instrument.Dialog:
                    message.Items.AddRange(Items(Domain.DialogResponses.Items, 1, 7));
                    break;
                case Domain.Instrument.PatientExperience:
                    message.Items.Add(new InstrumentItem
                    {
                        Number = 1, Text = Domain.PatientExperienceResponse.Question,
                        Minimum = (int)Domain.ExperienceRating.VeryGood, Maximum = (int)Domain.ExperienceRating.DontKnow,
                    });
                    break;
            }
            response.Instruments.Add(message);
        }
        return response;
    }

    private static IEnumerable<InstrumentItem> Items(IReadOnlyList<string> texts, int minimum, int maximum, Func<int, bool>? reversed = null) =>
        texts.Select((text, i) => new InstrumentItem { Number = i + 1, Text = text, Minimum = minimum, Maximum = maximum, ReverseScored = reversed?.Invoke(i + 1) ?? false });

    /// <summary>The answers given, as the domain scores them; null when none were given (the domain refuses that by name).</summary>
    public static Domain.InstrumentResponses? ToDomain(RecordMeasurementRequest request) => request.ResponsesCase switch
    {
        RecordMeasurementRequest.ResponsesOneofCase.Honos => new Domain.HonosResponses(request.Honos.Ratings.ToList(), (Domain.HonosProblemType)request.Honos.Item8Type),
        RecordMeasurementRequest.ResponsesOneofCase.Core10 => new Domain.Core10Responses(request.Core10.Answers.Select(Value).ToList()),
        RecordMeasurementRequest.ResponsesOneofCase.Reqol10 => new Domain.ReQoL10Responses(request.Reqol10.Answers.ToList(),
            request.Reqol10.HasPhysicalHealth ? request.Reqol10.PhysicalHealth : null),
        RecordMeasurementRequest.ResponsesOneofCase.Dialog => new Domain.DialogResponses(request.Dialog.Satisfaction.Select(Value).ToList(),
            request.Dialog.MoreHelp.Count == 0 ? null : request.Dialog.MoreHelp.ToList()),
        RecordMeasurementRequest.ResponsesOneofCase.Experience => new Domain.PatientExperienceResponse((Domain.ExperienceRating)request.Experience.Rating),
        _ => null,
    };

    private static int? Value(OptionalAnswer answer) => answer.HasValue ? answer.Value : null;

    private static OptionalAnswer Answer(int? value) => value is { } v ? new OptionalAnswer { Value = v } : new OptionalAnswer();

    public static Measurement ToMessage(Domain.OutcomeMeasurement m)
    {
        var message = new Measurement
        {
            MeasurementId = m.Id.ToString(),
            UseId = m.UseId.ToString(),
            TechnologyId = m.TechnologyId.ToString(),
            SettingCode = m.SettingCode,
            Instrument = (Instrument)m.Instrument,
            MeasuredAt = m.MeasuredAt.ToTimestamp(),
            RecordedAt = m.RecordedAt.ToTimestamp(),
            RecordedBy = m.RecordedBy,
        };
        if (m.Headline is { } headline) message.Headline = headline;
        switch (m.Responses)
        {
            case Domain.HonosResponses h:
                message.Honos = new HonosAnswers { Item8Type = (HonosProblemType)h.Item8ProblemType };
                message.Honos.Ratings.AddRange(h.Ratings);
                break;
            case Domain.Core10Responses c:
                message.Core10 = new Core10Answers();
                message.Core10.Answers.AddRange(c.Answers.Select(Answer));
                break;
            case Domain.ReQoL10Responses r:
                message.Reqol10 = new ReQoL10Answers();
                message.Reqol10.Answers.AddRange(r.Answers);
                if (r.PhysicalHealth is { } physical) message.Reqol10.PhysicalHealth = physical;
                break;
            case Domain.DialogResponses d:
                message.Dialog = new DialogAnswers();
                message.Dialog.Satisfaction.AddRange(d.Satisfaction.Select(Answer));
                if (d.AdditionalHelpWanted is { } help) message.Dialog.MoreHelp.AddRange(help);
                break;
            case Domain.PatientExperienceResponse e:
                message.Experience = new ExperienceAnswer { Rating = (ExperienceRating)e.Rating };
                break;
        }
        return message;
    }
}
