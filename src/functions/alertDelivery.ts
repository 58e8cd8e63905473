// The delivery queue's function: retries of queued alert deliveries (see src/alerts/deliveryFunction.ts).
import { app } from '@azure/functions';
import { alertDeliveryOptions } from '../alerts/deliveryFunction';

export { alertDeliveryHandler, alertDeliveryOptions } from '../alerts/deliveryFunction';

app.storageQueue('alertDelivery', alertDeliveryOptions);
