/**
 * SST 2.49.8's credentials.js imports aws-sdk v2, whose end-of-support notice
 * is emitted on a timer right after the module loads, unless this variable is
 * set when the timer fires (node_modules/aws-sdk/lib/maintenance_mode_message.js).
 * SST silences it with `default.suppress = true`, which under tsx changes a
 * copy, so the notice printed on every synth. Imported first by the synth
 * command and by synthStage (tests, benches), before anything that loads SST.
 */
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= "1";
