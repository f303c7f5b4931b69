using Platform.Evidence.Api;

var app = EvidenceApp.Build(WebApplication.CreateBuilder(args));
app.Run();

public partial class Program;
