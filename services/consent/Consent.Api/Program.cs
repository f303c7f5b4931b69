using Platform.Consent.Api;

var app = ConsentApp.Build(WebApplication.CreateBuilder(args));
app.Run();

public partial class Program;
