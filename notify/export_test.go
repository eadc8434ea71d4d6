package notify

import "context"

// Post sends body to the i-th valid webhook of n at once, bypassing its
// queue, so tests can see the delivery error. Call it only while nothing
// is queued for that webhook.
func (n *Notifier) Post(ctx context.Context, i int, body []byte) (int, error) {
	return n.hooks[i].post(ctx, body)
}

// DeliveryError is the error Post returns when a webhook did not take the
// notification.
type DeliveryError = deliveryError

// NewPayload is the JSON payload of an event.
var NewPayload = newPayload
