package transport

import "github.com/rs/zerolog"

// leveledLogger adapts zerolog to retryablehttp.LeveledLogger. Everything
// goes out at debug: retryablehttp reports each failed attempt as an error,
// but an attempt that is retried is routine, and the caller reports the
// final failure itself. retryablehttp logs the method, the URL (password
// redacted) and errors, never headers, so no token passes through here.
type leveledLogger struct {
	log zerolog.Logger
}

func (l leveledLogger) Error(msg string, keysAndValues ...any) { l.debug(msg, keysAndValues) }
func (l leveledLogger) Warn(msg string, keysAndValues ...any)  { l.debug(msg, keysAndValues) }
func (l leveledLogger) Info(msg string, keysAndValues ...any)  { l.debug(msg, keysAndValues) }
func (l leveledLogger) Debug(msg string, keysAndValues ...any) { l.debug(msg, keysAndValues) }

func (l leveledLogger) debug(msg string, keysAndValues []any) {
	e := l.log.Debug()
	if e == nil {
		return
	}
	e.Fields(keysAndValues).Msg("http: " + msg)
}
