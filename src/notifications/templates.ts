import type { EventData } from '../events/catalog.ts';

export type NotifyingEvent = 'customer.onboarded' | 'customer.activated' | 'customer.deactivated' | 'customer.promoted';
export const notifyingEvents: NotifyingEvent[] = ['customer.onboarded', 'customer.activated', 'customer.deactivated', 'customer.promoted'];

type Customer = EventData<'customer.onboarded'>['customer'];
export interface Rendered {
  template: string;
  subject: string;
  body: string;
  /** Also worth a short SMS when the customer has a phone number. */
  sms: string | null;
}

const greet = (c: Customer) => `Hello ${c.name ?? 'there'},`;

/** Renders the message for an event; plain functions of the event, no I/O. */
export function render(type: NotifyingEvent, data: EventData<NotifyingEvent>): Rendered {
  const c = data.customer;
  switch (type) {
    case 'customer.onboarded':
      return {
        template: 'welcome',
        subject: 'Welcome aboard',
        body: `${greet(c)}\n\nyour account ${c.id} is set up. We will let you know as soon as it is active.`,
        sms: null,
      };
    case 'customer.activated':
      return {
        template: 'activated',
        subject: 'Your account is active',
        body: `${greet(c)}\n\nyour account ${c.id} is now active.`,
        sms: `Your account ${c.id} is now active.`,
      };
    case 'customer.deactivated':
      return {
        template: 'deactivated',
        subject: 'Your account was deactivated',
        body: `${greet(c)}\n\nyour account ${c.id} was deactivated. Reply to this message if this is unexpected.`,
        sms: `Your account ${c.id} was deactivated.`,
      };
    case 'customer.promoted': {
      const { from, to } = data as EventData<'customer.promoted'>;
      return {
        template: 'promoted',
        subject: `You are now ${to}`,
        body: `${greet(c)}\n\nyour account moved from ${from} to ${to}. Thank you for your business.`,
        sms: null,
      };
    }
  }
}
